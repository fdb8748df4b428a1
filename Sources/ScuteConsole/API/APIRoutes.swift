import HTTPTypes
import Hummingbird
import Logging
import ScuteCore
import ScuteStore

/// The REST API under /api/v1. Every handler starts by checking the caller's permission.
struct APIRoutes: Sendable {
    let core: ConsoleCore

    var limit: Int { core.configuration.maxBodyBytes }

    func register(on router: Router<ConsoleRequestContext>) {
        router.get("/health") { _, _ in try await health() }
        router.get("/metrics") { _, _ in Response.text(core.metrics.text(), contentType: "text/plain; version=0.0.4") }
        router.get("/") { _, _ in Response.text(WebUI.index, contentType: "text/html; charset=utf-8") }
        router.get("/ui/app.js") { _, _ in Response.text(WebUI.script, contentType: "text/javascript; charset=utf-8") }

        let api = router.group("api/v1")
        api.get("openapi.json") { _, _ in Response.text(OpenAPIDocument.json, contentType: "application/json; charset=utf-8") }
        api.get("health") { _, _ in try await health() }
        api.post("authenticate") { request, _ in try await authenticate(request) }

        let secured = api.group().add(middleware: AuthMiddleware(core: core))
        registerUsers(secured)
        registerPolicy(secured)
        registerDefenders(secured)
        registerAudits(secured)
        registerSettings(secured)
    }

    private func health() async throws -> Response {
        let version: Int64
        do {
            version = try await core.store.policyVersion()
        } catch {
            return Response.json(["status": "unavailable", "store": "unreachable"], status: .serviceUnavailable)
        }
        return Response.json([
            "status": "ok",
            "policyVersion": .number(String(version)),
            "connectedDefenders": .int(await core.hub.count),
        ])
    }

    /// Runs a store call, turning its error into the HTTP answer.
    func store<T>(_ body: () async throws(StoreError) -> T) async throws(APIError) -> T {
        do {
            return try await body()
        } catch {
            if error.isUnavailable { core.logger.warning("api.store.unavailable") }
            throw APIError(error)
        }
    }

    static func iso(milliseconds: Int64) -> JSONValue { .string(AuditEvent.iso8601(nanoseconds: milliseconds * 1_000_000)) }

    /// "45 s", "12 min", "3 h", "2 d".
    static func humanDuration(milliseconds: Int64) -> String {
        let s = max(0, milliseconds / 1000)
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min" }
        if s < 86400 { return "\(s / 3600) h" }
        return "\(s / 86400) d"
    }
}

/// Reads the bearer token, if any, into the request context. Handlers decide what they need.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let core: ConsoleCore

    func handle(
        _ request: Request,
        context: ConsoleRequestContext,
        next: (Request, ConsoleRequestContext) async throws -> Response
    ) async throws -> Response {
        var context = context
        if let header = request.headers[.authorization] {
            guard header.hasPrefix("Bearer ") || header.hasPrefix("bearer ") else { throw APIError.unauthorized }
            do {
                guard let identity = try await core.authenticate(bearer: String(header.dropFirst(7))) else {
                    throw APIError.unauthorized
                }
                context.identity = identity
            } catch let error as StoreError {
                throw APIError(error)
            }
        }
        return try await next(request, context)
    }
}
