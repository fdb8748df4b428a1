import Foundation
import HTTPTypes
import OpenAPIRuntime
import Synchronization

/// The embed endpoints read their body by what it is, as the CLI reads a file: a Dockerfile is text
/// whatever the Content-Type says, and a template is JSON when it starts with `{`, else YAML.
///
/// The JSON embeds also keep what the generated types cannot: the document's own key order, number
/// spelling and layout. The generated code still checks the body against the OpenAPI document, but the
/// handler reads the bytes as they came (``RawJSONExchange``) and its answer goes out as the embedder
/// wrote it, exactly as `scute embed` prints it.
struct BodyByContent: ServerMiddleware {
    let limit: Int

    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        metadata: ServerRequestMetadata,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var request = request
        switch operationID {
        case "embedDockerfile":
            request.headerFields[.contentType] = "text/plain"
            return try await next(request, body, metadata)
        case "embedCloudFormation", "embedTaskDefinition":
            guard let body else { return try await next(request, body, metadata) }
            let bytes = try await ConsoleAPI.bytes(of: body, limit: limit)
            if operationID == "embedCloudFormation" {
                let json = bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{")
                request.headerFields[.contentType] = json ? "application/json" : "application/yaml"
            }
            let exchange = RawJSONExchange(request: bytes)
            let (response, responseBody) = try await RawJSONExchange.$current.withValue(exchange) {
                try await next(request, HTTPBody(bytes), metadata)
            }
            guard let raw = exchange.response else { return (response, responseBody) }
            var rawResponse = response
            rawResponse.headerFields[.contentLength] = String(raw.count)
            return (rawResponse, HTTPBody(raw))
        case "listRuntimeAudits":
            // The handler answers with the stored audit bodies as they are (see `auditPage`).
            let exchange = RawJSONExchange(request: [])
            let (response, responseBody) = try await RawJSONExchange.$current.withValue(exchange) {
                try await next(request, body, metadata)
            }
            guard let raw = exchange.response else { return (response, responseBody) }
            var rawResponse = response
            rawResponse.headerFields[.contentLength] = String(raw.count)
            return (rawResponse, HTTPBody(raw))
        default:
            return try await next(request, body, metadata)
        }
    }
}

/// The request bytes of a JSON embed as they came, and the answer to send instead of the generated
/// encoding of the typed response (which would sort keys and reformat numbers).
final class RawJSONExchange: Sendable {
    @TaskLocal static var current: RawJSONExchange?

    let request: [UInt8]
    private let answer = Mutex<[UInt8]?>(nil)

    init(request: [UInt8]) { self.request = request }

    var response: [UInt8]? { answer.withLock { $0 } }

    /// Sends `text` as the response body in place of the typed response's encoding.
    func respond(_ text: String) { answer.withLock { $0 = Array(text.utf8) } }

    /// Sends `bytes` as the response body in place of the typed response's encoding.
    func respond(_ bytes: [UInt8]) { answer.withLock { $0 = bytes } }
}

extension ConsoleAPI {
    static func bytes(of body: HTTPBody, limit: Int) async throws(APIError) -> [UInt8] {
        do {
            return try await [UInt8](collecting: body, upTo: limit)
        } catch {
            throw APIError.badRequest("body", "larger than \(limit) bytes")
        }
    }
}
