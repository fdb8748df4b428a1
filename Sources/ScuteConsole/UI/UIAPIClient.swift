import HTTPTypes
import Hummingbird
import NIOCore
import ScuteCore

/// The web UI's only way to the console: every page reads and changes through the API's own routes, called in
/// process with the session's token. The UI has no rule, check or role of its own: the API's handlers, its
/// role matrix and its messages apply as they do to any client.
struct UIAPIClient: Sendable {
    /// An API answer: status, headers and body as the API wrote them.
    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var headers: HTTPFields
        var body: [UInt8]

        var ok: Bool { status.kind == .successful }
        var json: JSONValue? { try? JSONValue.parse(bytes: body) }
        /// The API's error message, as it explains the refusal.
        var errorMessage: String {
            json?.objectValue?["error"]?.objectValue?["message"]?.stringValue ?? "the console answered \(status.code)"
        }
        /// The field the API's error names, if any.
        var errorField: String? { json?.objectValue?["error"]?.objectValue?["field"]?.stringValue }
    }

    let responder: any HTTPResponder<ConsoleRequestContext>

    /// Calls `method path` (path below /api/v1, with its query) as the holder of `token`.
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String?,
        body: [UInt8]? = nil,
        contentType: String = "application/json",
        context: ConsoleRequestContext
    ) async -> Answer {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        fields[.accept] = "application/json, text/csv, application/zip, */*"
        if let body {
            fields[.contentType] = contentType
            fields[.contentLength] = String(body.count)
        }
        let head = HTTPRequest(method: method, scheme: nil, authority: "console", path: "/api/v1" + path, headerFields: fields)
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer(bytes: body ?? [])))
        do {
            let response = try await responder.respond(to: request, context: context)
            let collector = BodyCollector()
            try await response.body.write(collector)
            return Answer(status: response.status, headers: response.headers, body: collector.bytes)
        } catch let error as any HTTPResponseError {
            return Answer(status: error.status, headers: [:], body: Array(#"{"error":{"message":"refused"}}"#.utf8))
        } catch {
            return Answer(status: .internalServerError, headers: [:], body: Array(#"{"error":{"message":"internal error"}}"#.utf8))
        }
    }

    /// Calls with a JSON body.
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String?,
        json: JSONValue,
        context: ConsoleRequestContext
    ) async -> Answer {
        await call(method, path, token: token, body: Array(json.serialized(.compact).utf8), context: context)
    }
}

/// Gathers a response body written by the API's responder.
private final class BodyCollector: ResponseBodyWriter {
    var bytes: [UInt8] = []

    func write(_ buffer: ByteBuffer) async throws { bytes += buffer.readableBytesView }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}

/// Percent-encoding for query values and path segments.
enum URLText {
    static func encode(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(Unicode.Scalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    /// A query string from pairs, empty values left out.
    static func query(_ pairs: [(String, String)]) -> String {
        let kept = pairs.filter { !$0.1.isEmpty }
        return kept.isEmpty ? "" : "?" + kept.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
