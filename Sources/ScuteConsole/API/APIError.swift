import Hummingbird
import Logging
import NIOCore
import OpenAPIRuntime
import ScuteCore
import ScuteStore

/// An error answered to an API client: a status and a message that names the field at fault.
/// Built only at the HTTP edge, from module errors; never carries SQL, paths or stack traces.
struct APIError: HTTPResponseError, Equatable {
    let status: HTTPResponse.Status
    let message: String
    let field: String?
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil) {
        self.status = status
        self.message = message
        self.field = field
    }

    static func badRequest(_ field: String, _ reason: String) -> APIError {
        APIError(.badRequest, "\(field): \(reason)", field: field)
    }

    static let unauthorized = APIError(.unauthorized, "a valid bearer token is required")
    static let forbidden = APIError(.forbidden, "your role may not do this")

    static func notFound(_ what: String) -> APIError { APIError(.notFound, what) }

    /// The HTTP meaning of a store error.
    init(_ error: StoreError) {
        if error.isConflict {
            self.init(.conflict, error.message)
        } else if error.isNotFound {
            self.init(.notFound, error.message)
        } else if error.isInvalid {
            self.init(.badRequest, error.message)
        } else {
            self.init(.serviceUnavailable, "the store is unavailable; try again")
        }
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }

    /// The answer as the generated server returns it.
    func openAPIResponse() -> (HTTPResponse, HTTPBody?) {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return (HTTPResponse(status: status, headerFields: headers), HTTPBody(body))
    }

    /// `{"error": {"message", "field"}}`, the document's `Error`.
    private var body: String {
        var error = JSONObject()
        error["message"] = .string(message)
        if let field { error["field"] = .string(field) }
        return JSONValue.object(JSONObject(["error": .object(error)])).serialized(.compact)
    }
}
