/// Byte-level helpers shared by the version orderings: they work on UTF-8 bytes, never on `Character`s.
enum ASCII {
    static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

    static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }

    static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }

    static func lowercased(_ byte: UInt8) -> UInt8 { byte &- 0x41 < 26 ? byte | 0x20 : byte }

    /// The bytes of `text` without leading and trailing ASCII whitespace.
    static func trimmedBytes(_ text: String) -> [UInt8] {
        var bytes = Array(text.utf8)
        while let last = bytes.last, isSpace(last) { bytes.removeLast() }
        let start = bytes.firstIndex { !isSpace($0) } ?? bytes.endIndex
        if start > 0 { bytes.removeFirst(start) }
        return bytes
    }

    /// Compares two runs of decimal digits by value, whatever their length (no overflow), ignoring leading zeros.
    static func compareDigits(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Int {
        let left = lhs.drop { $0 == 0x30 }
        let right = rhs.drop { $0 == 0x30 }
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        for (a, b) in zip(left, right) where a != b { return a < b ? -1 : 1 }
        return 0
    }

    /// Compares two byte strings lexicographically by byte value.
    static func compareBytes(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Int {
        for (a, b) in zip(lhs, rhs) where a != b { return a < b ? -1 : 1 }
        if lhs.count == rhs.count { return 0 }
        return lhs.count < rhs.count ? -1 : 1
    }

    /// The value of a digit run, or nil when it does not fit in 64 bits.
    static func integer(_ digits: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in digits {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte &- 0x30))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }
}

/// A decimal number of any size, kept as its digits without leading zeros, ordered by value.
struct DecimalNumber: Comparable, Hashable, Sendable {
    let digits: [UInt8]

    init(_ digits: ArraySlice<UInt8>) {
        self.digits = Array(digits.drop { $0 == 0x30 })
    }

    init(_ value: Int) {
        self.init(ArraySlice(String(value).utf8))
    }

    static let zero = DecimalNumber(0)

    var isZero: Bool { digits.isEmpty }

    static func < (lhs: DecimalNumber, rhs: DecimalNumber) -> Bool {
        ASCII.compareDigits(lhs.digits[...], rhs.digits[...]) < 0
    }
}
