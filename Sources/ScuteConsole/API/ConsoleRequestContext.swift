import Hummingbird
import Logging
import NIOCore

/// The request context of the API port. Who is asking is decided per operation by `APIGuard` and handed
/// to the generated API's handlers in `Caller.identity`; where the request came from (the peer address of the
/// connection, for login throttling) is handed on in `Caller.address`.
struct ConsoleRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The connection's peer: an IP address, or `local` when there is none (tests without sockets).
    let clientAddress: String

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "local"
    }
}

/// Hands the client address to the generated API's handlers, which do not see the request context.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext

    func handle(
        _ request: Request,
        context: ConsoleRequestContext,
        next: (Request, ConsoleRequestContext) async throws -> Response
    ) async throws -> Response {
        try await Caller.$address.withValue(context.clientAddress) { try await next(request, context) }
    }
}
