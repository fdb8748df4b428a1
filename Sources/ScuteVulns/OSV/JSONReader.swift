#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A pull reader over JSON bytes: the caller walks objects and arrays and skips what it does not need, so an OSV
/// record is read without building a tree and without a `String` per key.
///
/// Strict JSON (RFC 8259), except that raw control characters inside strings are accepted and the escapes of a
/// skipped string are not checked; errors name the byte offset.
struct JSONReader: ~Copyable {
    enum Kind {
        case object, array, string, number, bool, null
    }

    struct SyntaxError: Error, Equatable {
        let offset: Int
        let expected: String
    }

    private let bytes: UnsafeRawBufferPointer
    private(set) var offset = 0
    /// Whether the container just opened has had no member yet (no comma expected before the next one).
    private var atFirstMember = false

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    private mutating func skipSpace() {
        while offset < bytes.count {
            // Pretty-printed records are mostly indentation: spaces are skipped eight bytes at a time, the first
            // other byte of a word found from its trailing zero bits (little-endian).
            if offset + 8 <= bytes.count {
                let others = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) ^ 0x2020_2020_2020_2020
                if others == 0 {
                    offset += 8
                    continue
                }
                offset += others.trailingZeroBitCount >> 3
            }
            let byte = bytes[offset]
            guard byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { return }
            offset += 1
        }
    }

    private func fail(_ expected: String) -> SyntaxError { SyntaxError(offset: offset, expected: expected) }

    private mutating func expect(_ byte: UInt8, _ description: String) throws(SyntaxError) {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == byte else { throw fail(description) }
        offset += 1
    }

    /// The kind of the next value, without consuming it.
    mutating func peek() throws(SyntaxError) -> Kind {
        skipSpace()
        guard offset < bytes.count else { throw fail("a value") }
        switch bytes[offset] {
        case UInt8(ascii: "{"): return .object
        case UInt8(ascii: "["): return .array
        case Self.quote: return .string
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool
        case UInt8(ascii: "n"): return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        default: throw fail("a value")
        }
    }

    /// Checks that nothing but whitespace follows the document.
    mutating func end() throws(SyntaxError) {
        skipSpace()
        guard offset == bytes.count else { throw fail("the end of the document") }
    }

    // MARK: Objects and arrays

    mutating func beginObject() throws(SyntaxError) {
        try expect(UInt8(ascii: "{"), "'{'")
        atFirstMember = true
    }

    mutating func beginArray() throws(SyntaxError) {
        try expect(UInt8(ascii: "["), "'['")
        atFirstMember = true
    }

    /// The next key of the object being read (its raw bytes, escapes kept), or nil at its closing brace.
    mutating func nextKey() throws(SyntaxError) -> UnsafeRawBufferPointer? {
        skipSpace()
        guard offset < bytes.count else { throw fail("'}' or a key") }
        if bytes[offset] == UInt8(ascii: "}") {
            offset += 1
            atFirstMember = false
            return nil
        }
        if !atFirstMember { try expect(UInt8(ascii: ","), "',' or '}'") }
        atFirstMember = false
        let range = try rawString()
        try expect(UInt8(ascii: ":"), "':'")
        return UnsafeRawBufferPointer(rebasing: bytes[range])
    }

    /// Whether another element follows in the array being read; false at its closing bracket.
    mutating func nextElement() throws(SyntaxError) -> Bool {
        skipSpace()
        guard offset < bytes.count else { throw fail("']' or a value") }
        if bytes[offset] == UInt8(ascii: "]") {
            offset += 1
            atFirstMember = false
            return false
        }
        if !atFirstMember { try expect(UInt8(ascii: ","), "',' or ']'") }
        atFirstMember = false
        return true
    }

    // MARK: Values

    /// The range of a string's raw bytes between its quotes, escapes kept (checked when the string is decoded).
    private mutating func rawString() throws(SyntaxError) -> Range<Int> {
        skipSpace()
        guard offset < bytes.count, bytes[offset] == Self.quote, let base = bytes.baseAddress else { throw fail("a string") }
        let start = offset + 1
        var from = start
        while from < bytes.count, let found = memchr(base + from, Int32(Self.quote), bytes.count - from) {
            let end = base.distance(to: UnsafeRawPointer(found))
            // The quote ends the string unless an odd number of backslashes escapes it.
            var backslashes = 0
            while end - backslashes - 1 >= start && bytes[end - backslashes - 1] == Self.backslash { backslashes += 1 }
            if backslashes % 2 == 0 {
                offset = end + 1
                return start..<end
            }
            from = end + 1
        }
        throw fail("the end of the string")
    }

    mutating func string() throws(SyntaxError) -> String {
        let start = offset
        let range = try rawString()
        let raw = UnsafeRawBufferPointer(rebasing: bytes[range])
        if !raw.contains(Self.backslash) { return String(decoding: raw, as: UTF8.self) }
        guard let text = Self.unescape(raw) else {
            offset = start
            throw fail("valid escapes in the string")
        }
        return text
    }

    /// A string, or nil for `null`.
    mutating func optionalString() throws(SyntaxError) -> String? {
        if try peek() == .null {
            try skip()
            return nil
        }
        return try string()
    }

    /// How deep `skip` follows nested arrays and objects before giving up (a hostile file must not exhaust the stack).
    static let maximumDepth = 512
    private var depth = 0

    /// Skips one value of any kind.
    mutating func skip() throws(SyntaxError) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maximumDepth else { throw fail("at most \(Self.maximumDepth) levels of nesting") }
        switch try peek() {
        case .string:
            _ = try rawString()
        case .object:
            try beginObject()
            while try nextKey() != nil { try skip() }
        case .array:
            try beginArray()
            while try nextElement() { try skip() }
        case .number:
            let start = offset
            while offset < bytes.count, Self.isNumberByte(bytes[offset]) { offset += 1 }
            if offset == start { throw fail("a number") }
        case .bool, .null:
            for literal in ["true", "false", "null"] where matches(literal) {
                offset += literal.utf8.count
                return
            }
            throw fail("true, false or null")
        }
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        ASCII.isDigit(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
    }

    private func matches(_ literal: String) -> Bool {
        var index = offset
        for byte in literal.utf8 {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
        }
        return true
    }

    /// Decodes `\n`, `\"`, `\uXXXX` (with surrogate pairs) and the other JSON escapes; nil on a bad escape.
    static func unescape(_ raw: UnsafeRawBufferPointer) -> String? {
        var output: [UInt8] = []
        output.reserveCapacity(raw.count)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            index += 1
            guard byte == backslash else {
                output.append(byte)
                continue
            }
            guard index < raw.count else { return nil }
            let escape = raw[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), backslash, UInt8(ascii: "/"): output.append(escape)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4(raw, at: index) else { return nil }
                index += 4
                if scalar >= 0xD800 && scalar < 0xDC00, index + 6 <= raw.count, raw[index] == backslash,
                    raw[index + 1] == UInt8(ascii: "u"), let low = hex4(raw, at: index + 2), low >= 0xDC00 && low < 0xE000
                {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
                }
                output.append(contentsOf: String(Character(Unicode.Scalar(scalar) ?? "\u{FFFD}")).utf8)
            default: return nil
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hex4(_ raw: UnsafeRawBufferPointer, at index: Int) -> UInt32? {
        guard index + 4 <= raw.count else { return nil }
        var value: UInt32 = 0
        for byte in raw[index..<index + 4] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }
}

extension UnsafeRawBufferPointer {
    /// Whether these bytes spell `key` exactly (a JSON key read by `JSONReader.nextKey`).
    func `is`(_ key: StaticString) -> Bool {
        guard count == key.utf8CodeUnitCount else { return false }
        return memcmpEqual(key.utf8Start, count)
    }

    private func memcmpEqual(_ other: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        for index in 0..<length where self[index] != other[index] { return false }
        return true
    }
}
