import Hummingbird
import Logging
import NIOCore
import ScuteCore

/// Reads a request's JSON body with the order-preserving parser, rejecting what does not fit with a 400
/// that names the field: malformed JSON, wrong types, unknown fields, oversized bodies.
struct JSONBody {
    let object: JSONObject
    let path: String

    init(object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    /// The whole body as a JSON value, at most `limit` bytes.
    static func value(of request: Request, limit: Int) async throws -> JSONValue {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.badRequest("body", "larger than \(limit) bytes")
        }
        guard buffer.readableBytes > 0 else { throw APIError.badRequest("body", "missing: a JSON object is expected") }
        do {
            return try JSONValue.parse(bytes: Array(buffer.readableBytesView))
        } catch {
            throw APIError.badRequest("body", "not valid JSON (\(error))")
        }
    }

    /// The body as a JSON object whose keys must all be in `allowed`.
    static func object(of request: Request, limit: Int, allowed: Set<String>) async throws -> JSONBody {
        let value = try await value(of: request, limit: limit)
        return try JSONBody(value, path: "body", allowed: allowed)
    }

    init(_ value: JSONValue, path: String, allowed: Set<String>) throws(APIError) {
        guard let o = value.objectValue else { throw APIError.badRequest(path, "expected an object, found \(value.typeName)") }
        for key in o.keys where !allowed.contains(key) {
            throw APIError.badRequest(Self.join(path, key), "unknown field (expected one of \(allowed.sorted().joined(separator: ", ")))")
        }
        self.object = o
        self.path = path
    }

    static func join(_ path: String, _ key: String) -> String { path == "body" ? key : "\(path).\(key)" }

    func name(_ key: String) -> String { Self.join(path, key) }

    func string(_ key: String, required: Bool = false, maxLength: Int = 1024) throws(APIError) -> String? {
        guard let v = object[key], v != .null else {
            if required { throw APIError.badRequest(name(key), "missing") }
            return nil
        }
        guard let s = v.stringValue else { throw APIError.badRequest(name(key), "expected a string, found \(v.typeName)") }
        guard s.utf8.count <= maxLength else { throw APIError.badRequest(name(key), "longer than \(maxLength) bytes") }
        return s
    }

    func requiredString(_ key: String, maxLength: Int = 1024) throws(APIError) -> String {
        guard let s = try string(key, required: true, maxLength: maxLength), !s.isEmpty else {
            throw APIError.badRequest(name(key), "must not be empty")
        }
        return s
    }

    func strings(_ key: String) throws(APIError) -> [String]? {
        guard let v = object[key], v != .null else { return nil }
        guard let a = v.arrayValue else { throw APIError.badRequest(name(key), "expected an array of strings, found \(v.typeName)") }
        var out: [String] = []
        for (i, item) in a.enumerated() {
            guard let s = item.stringValue else { throw APIError.badRequest("\(name(key))[\(i)]", "expected a string, found \(item.typeName)") }
            out.append(s)
        }
        return out
    }

    func int(_ key: String, range: ClosedRange<Int>) throws(APIError) -> Int? {
        guard let v = object[key], v != .null else { return nil }
        guard let i = v.intValue else { throw APIError.badRequest(name(key), "expected an integer, found \(v.typeName)") }
        guard range.contains(i) else { throw APIError.badRequest(name(key), "must be from \(range.lowerBound) to \(range.upperBound)") }
        return i
    }
}

extension Response {
    /// A JSON response.
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: value.serialized(.compact)))
        )
    }

    static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var h = headers
        h[.contentType] = contentType
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Query parameters, checked one by one with messages naming the parameter.
struct QueryReader {
    let request: Request

    func string(_ key: String, maxLength: Int = 512) throws(APIError) -> String? {
        guard let v = request.uri.queryParameters[key[...]] else { return nil }
        guard v.utf8.count <= maxLength else { throw APIError.badRequest(key, "longer than \(maxLength) bytes") }
        return String(v)
    }

    func int(_ key: String, range: ClosedRange<Int>, default value: Int) throws(APIError) -> Int {
        guard let s = try string(key) else { return value }
        guard let i = Int(s) else { throw APIError.badRequest(key, "expected an integer") }
        guard range.contains(i) else { throw APIError.badRequest(key, "must be from \(range.lowerBound) to \(range.upperBound)") }
        return i
    }

    func oneOf(_ key: String, _ allowed: [String]) throws(APIError) -> String? {
        guard let s = try string(key) else { return nil }
        guard allowed.contains(s) else { throw APIError.badRequest(key, "must be one of \(allowed.joined(separator: ", "))") }
        return s
    }

    func all(_ key: String) -> [String] {
        request.uri.queryParameters.getAll(key)
    }

    /// Rejects parameters the endpoint does not know.
    func only(_ allowed: Set<String>) throws(APIError) {
        for (key, _) in request.uri.queryParameters where !allowed.contains(String(key)) {
            throw APIError.badRequest(String(key), "unknown query parameter")
        }
    }
}
