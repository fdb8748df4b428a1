/// The names the console stores and shows that come from outside: defender IDs (a defender's `hello`) and
/// rule names (the API). Letters, digits, `.`, `_` and `-`, starting with a letter or digit, at most 128 bytes:
/// nothing a browser, a log line, a URL path or a file name could take for markup or a separator. The
/// OpenAPI document states the same pattern.
enum Identifiers {
    static let maxBytes = 128
    static let pattern = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
    static let rule = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 128 bytes"

    static func isValid(_ text: String) -> Bool {
        let bytes = text.utf8
        guard let first = bytes.first, bytes.count <= maxBytes, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a)
    }
}
