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
        router.get("/api/v1/openapi.json") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.bytes))
            )
        }
        try registerAPI(on: router, core: core)
        // The web UI calls the same API in process, through a router of its own with the same handlers.
        let api = Router(context: ConsoleRequestContext.self)
        try registerAPI(on: api, core: core)
        try WebUI.register(on: router, core: core, api: api.buildResponder())
    }

    /// The generated API's handlers behind its guard.
    private static func registerAPI(on router: Router<ConsoleRequestContext>, core: ConsoleCore) throws {
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
