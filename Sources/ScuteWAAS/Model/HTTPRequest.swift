/// One HTTP request as the proxy received it: the engine's whole input, with no I/O behind it.
package struct HTTPRequest: Sendable, Equatable {
    /// The method token as sent (`GET`, `POST`, ...).
    package var method: String
    /// The request-target exactly as sent (origin form `/a/b?c=d`, or absolute form).
    package var target: String
    /// The protocol version as sent, e.g. `HTTP/1.1`.
    package var version: String
    /// The header fields in the order they were received; names keep their case.
    package var headers: [HTTPHeader]
    /// The message body, already de-chunked unless `bodyIsChunked` says otherwise.
    package var body: [UInt8]
    /// True when the proxy stopped buffering at its inspection limit, so `body` is a prefix.
    package var bodyTruncated: Bool
    /// True when `body` still carries chunked transfer coding (the engine then de-chunks and checks it).
    package var bodyIsChunked: Bool

    /// Makes a request value; all parts but the method and target have everyday defaults.
    package init(
        method: String,
        target: String,
        version: String = "HTTP/1.1",
        headers: [HTTPHeader] = [],
        body: [UInt8] = [],
        bodyTruncated: Bool = false,
        bodyIsChunked: Bool = false
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.bodyTruncated = bodyTruncated
        self.bodyIsChunked = bodyIsChunked
    }

    /// The values of every header named `name` (case-insensitive), in order.
    package func headerValues(_ name: String) -> [String] {
        var values: [String] = []
        for header in headers where header.name.utf8.count == name.utf8.count && asciiCaseInsensitiveEqual(header.name, name) {
            values.append(header.value)
        }
        return values
    }

    /// The first value of the header named `name` (case-insensitive), if present.
    package func firstHeader(_ name: String) -> String? {
        for header in headers where header.name.utf8.count == name.utf8.count && asciiCaseInsensitiveEqual(header.name, name) {
            return header.value
        }
        return nil
    }
}

/// One header field as received.
package struct HTTPHeader: Sendable, Equatable {
    package var name: String
    package var value: String

    /// Makes a header field.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

func asciiCaseInsensitiveEqual(_ lhs: String, _ rhs: String) -> Bool {
    var left = lhs.utf8.makeIterator()
    var right = rhs.utf8.makeIterator()
    while true {
        let a = left.next()
        let b = right.next()
        guard let a, let b else { return a == nil && b == nil }
        if ByteClass.lower(a) != ByteClass.lower(b) { return false }
    }
}
