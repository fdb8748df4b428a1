import Foundation
import Hummingbird
import NIOCore
import ScuteCore

/// Moves values between the generated types and the order-preserving `JSONValue` that the policy model,
/// the embedders and the store work with.
enum JSONBridge {
    static func value(_ value: some Encodable) throws(APIError) -> JSONValue {
        do {
            return try JSONValue.parse(bytes: Array(JSONEncoder().encode(value)))
        } catch {
            throw APIError(.internalServerError, "internal error")
        }
    }

    static func decode<T: Decodable>(_ type: T.Type, from value: JSONValue) throws(APIError) -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(value.serialized(.compact).utf8))
        } catch let error as DecodingError {
            throw APIError(decoding: error)
        } catch {
            throw APIError.badRequest("body", "could not be read")
        }
    }
}

extension Response {
    /// A JSON response (the routes outside the generated API).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: value.serialized(.compact)))
        )
    }

    static func text(_ text: String, contentType: String) -> Response {
        Response(status: .ok, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
