import Hummingbird
import NIOCore

/// Bodies over the limit answer 400 before anything reads them.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = ConsoleRequestContext
    let limit: Int

    func handle(
        _ request: Request,
        context: ConsoleRequestContext,
        next: (Request, ConsoleRequestContext) async throws -> Response
    ) async throws -> Response {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw APIError.badRequest("body", "larger than \(limit) bytes")
        }
        var request = request
        do {
            // Collected once here, so the generated decoders never see more than the limit.
            _ = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.badRequest("body", "larger than \(limit) bytes")
        }
        return try await next(request, context)
    }
}
