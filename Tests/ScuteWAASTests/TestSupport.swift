@testable import ScuteWAAS

/// Shorthands for building requests in tests.
enum Requests {
    static let browserHeaders: [HTTPHeader] = [
        HTTPHeader(name: "Host", value: "shop.example.com"),
        HTTPHeader(name: "User-Agent", value: "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0"),
        HTTPHeader(name: "Accept", value: "text/html,application/xhtml+xml,*/*;q=0.8"),
    ]

    static func get(_ target: String, headers: [HTTPHeader] = []) -> HTTPRequest {
        HTTPRequest(method: "GET", target: target, headers: browserHeaders + headers)
    }

    static func post(_ target: String = "/submit", contentType: String, body: String, headers: [HTTPHeader] = []) -> HTTPRequest {
        let bytes = Array(body.utf8)
        return HTTPRequest(
            method: "POST",
            target: target,
            headers: browserHeaders + headers + [
                HTTPHeader(name: "Content-Type", value: contentType), HTTPHeader(name: "Content-Length", value: "\(bytes.count)"),
            ],
            body: bytes
        )
    }

    static func form(_ fields: [(String, String)]) -> HTTPRequest {
        post(contentType: "application/x-www-form-urlencoded", body: fields.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&"))
    }

    /// Percent-encodes everything but unreserved characters, as a browser form would.
    static func encode(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            if ByteClass.isLetter(byte) || ByteClass.isDigit(byte) || ByteClass.oneOf(byte, "-_.~") {
                output.unicodeScalars.append(Unicode.Scalar(byte))
            } else if byte == UInt8(ascii: " ") {
                output += "+"
            } else {
                let digits = Array("0123456789ABCDEF")
                output += "%" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 15)])
            }
        }
        return output
    }
}

extension Array where Element == Finding {
    var ruleIDs: Set<String> { Set(map(\.ruleID)) }
    var categories: Set<WAASCategory> { Set(map(\.category)) }
}
