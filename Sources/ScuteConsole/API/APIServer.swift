import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import ScuteConsoleAPI
import ScuteCore
import ScuteStore

/// The API port's routes: the generated OpenAPI server under /api/v1, and the few routes outside the
/// document (the document itself, /health and /metrics for probes and scrapers, the web UI).
package enum APIServer {
    static func register(on router: Router<ConsoleRequestContext>, core: ConsoleCore) throws {
        router.add(middleware: BodyLimitMiddleware(limit: core.configuration.maxBodyBytes))
        router.get("/health") { _, _ in await healthResponse(core) }
        router.get("/metrics") { _, _ in Response.text(core.metrics.text(), contentType: "text/plain; version=0.0.4") }
        router.get("/") { _, _ in Response.text(WebUI.index, contentType: "text/html; charset=utf-8") }
        router.get("/ui/app.js") { _, _ in Response.text(WebUI.script, contentType: "text/javascript; charset=utf-8") }
        router.get("/ui/app.css") { _, _ in Response.text(WebUI.style, contentType: "text/css; charset=utf-8") }
        router.get("/api/v1/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes))
            )
        }
        try ConsoleAPI(core: core).registerHandlers(
            on: router,
            serverURL: try Servers.Server1.url(),
            configuration: configuration,
            middlewares: [APIGuard(core: core, catalog: .document), BodyByContent(limit: core.configuration.maxBodyBytes)]
        )
    }

    /// The generated code's coding: dates as the rest of the console writes them (RFC 3339, milliseconds),
    /// read with or without a fraction; compact JSON with sorted keys, so answers are byte-for-byte repeatable.
    package static let configuration = Configuration(dateTranscoder: ConsoleDateTranscoder(), jsonEncodingOptions: [.sortedKeys])

    private static func healthResponse(_ core: ConsoleCore) async -> Response {
        let report = await core.health()
        guard let version = report.policyVersion else {
            return Response.json(["status": "unavailable", "store": "unreachable"], status: .serviceUnavailable)
        }
        return Response.json(["status": "ok", "policyVersion": .number(String(version)), "connectedDefenders": .int(report.connectedDefenders)])
    }
}
