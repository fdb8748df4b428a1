/// Which byte values occur in a text: detectors skip texts that lack their trigger characters.
struct ByteSet: Sendable {
    private var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)

    init(_ bytes: [UInt8]) {
        for byte in bytes { insert(byte) }
    }

    @inline(__always) mutating func insert(_ byte: UInt8) {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: words.0 |= bit
        case 1: words.1 |= bit
        case 2: words.2 |= bit
        default: words.3 |= bit
        }
    }

    @inline(__always) func contains(_ byte: UInt8) -> Bool {
        let bit = UInt64(1) << UInt64(byte & 63)
        switch byte >> 6 {
        case 0: return words.0 & bit != 0
        case 1: return words.1 & bit != 0
        case 2: return words.2 & bit != 0
        default: return words.3 & bit != 0
        }
    }

    /// True when any ASCII character of `set` occurs.
    @inline(__always) func containsAny(_ set: StaticString) -> Bool {
        set.withUTF8Buffer { buffer in
            for byte in buffer where contains(byte) { return true }
            return false
        }
    }
}

/// Byte classification tables for the hot paths (no Character or String work per byte).
enum ByteClass {
    static let letter: UInt8 = 1
    static let digit: UInt8 = 2
    static let space: UInt8 = 4
    static let hex: UInt8 = 8
    static let word: UInt8 = 16
    /// Bytes that never start or carry an attack on their own (letters, digits, space, `-_.,@:/`).
    static let plain: UInt8 = 32

    static let table: [UInt8] = {
        var table = [UInt8](repeating: 0, count: 256)
        for byte in UInt8(ascii: "a")...UInt8(ascii: "z") { table[Int(byte)] |= letter | word | plain }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "Z") { table[Int(byte)] |= letter | word | plain }
        for byte in UInt8(ascii: "0")...UInt8(ascii: "9") { table[Int(byte)] |= digit | word | hex | plain }
        for byte in UInt8(ascii: "a")...UInt8(ascii: "f") { table[Int(byte)] |= hex }
        for byte in UInt8(ascii: "A")...UInt8(ascii: "F") { table[Int(byte)] |= hex }
        table[Int(UInt8(ascii: "_"))] |= word | plain
        for byte in [UInt8(ascii: " "), 9, 10, 11, 12, 13] { table[Int(byte)] |= space }
        for byte in [UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "@")] {
            table[Int(byte)] |= plain
        }
        return table
    }()

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { table[Int(byte)] & letter != 0 }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte &- 48 < 10 }
    @inline(__always) static func isSpace(_ byte: UInt8) -> Bool { table[Int(byte)] & space != 0 }
    @inline(__always) static func isHex(_ byte: UInt8) -> Bool { table[Int(byte)] & hex != 0 }
    @inline(__always) static func isWord(_ byte: UInt8) -> Bool { table[Int(byte)] & word != 0 }
    @inline(__always) static func isPlain(_ byte: UInt8) -> Bool { table[Int(byte)] & plain != 0 }
    /// True when `byte` is one of the ASCII characters of `set` (no allocation).
    @inline(__always) static func oneOf(_ byte: UInt8, _ set: StaticString) -> Bool {
        set.withUTF8Buffer { buffer in
            for candidate in buffer where candidate == byte { return true }
            return false
        }
    }

    @inline(__always) static func lower(_ byte: UInt8) -> UInt8 { byte &- 65 < 26 ? byte | 0x20 : byte }

    @inline(__always) static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}

extension Array where Element == UInt8 {
    /// ASCII-lowercased copy.
    func asciiLowercased() -> [UInt8] {
        var copy = self
        for index in copy.indices where copy[index] &- 65 < 26 { copy[index] |= 0x20 }
        return copy
    }

    /// True when `pattern` (already lowercase ASCII) occurs at `index`, comparing case-insensitively.
    func hasLowercasePrefix(_ pattern: StaticString, at index: Int) -> Bool {
        let count = pattern.utf8CodeUnitCount
        guard index >= 0, index + count <= self.count else { return false }
        return pattern.withUTF8Buffer { buffer in
            for offset in 0..<count where ByteClass.lower(self[index + offset]) != buffer[offset] { return false }
            return true
        }
    }

    /// First index of `pattern` (lowercase ASCII) at or after `start`, case-insensitively.
    func firstIndex(ofLowercase pattern: StaticString, from start: Int = 0) -> Int? {
        let count = pattern.utf8CodeUnitCount
        guard count > 0, self.count >= count else { return nil }
        let first = pattern.withUTF8Buffer { $0[0] }
        var index = Swift.max(start, 0)
        while index + count <= self.count {
            if ByteClass.lower(self[index]) == first && hasLowercasePrefix(pattern, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// First index of `pattern` (exact bytes) at or after `start`.
    func firstIndex(ofBytes pattern: [UInt8], from start: Int = 0) -> Int? {
        guard let first = pattern.first, self.count >= pattern.count else { return nil }
        var index = Swift.max(start, 0)
        while index + pattern.count <= self.count {
            if self[index] == first {
                var match = true
                for offset in 1..<pattern.count where self[index + offset] != pattern[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }

    /// True when the whole array equals `pattern` (lowercase ASCII), case-insensitively.
    func equalsLowercase(_ pattern: StaticString) -> Bool {
        count == pattern.utf8CodeUnitCount && hasLowercasePrefix(pattern, at: 0)
    }
}
