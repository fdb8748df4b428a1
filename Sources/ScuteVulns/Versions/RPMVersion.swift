/// An RPM version `[epoch:]version[-release]`, ordered as rpm orders EVRs (rpmvercmp on each part).
///
/// A missing epoch is 0; a missing release compares as an empty one (so `1.0` < `1.0-1`, as `rpm.vercmp`
/// says). Any non-empty version is valid: rpmvercmp treats every byte that is not a letter, a digit, `~` or
/// `^` as a separator.
struct RPMVersion: EcosystemVersion {
    private let bytes: [UInt8]
    private let epoch: Range<Int>
    private let version: Range<Int>
    private let release: Range<Int>

    init?(_ text: String) {
        let bytes = ASCII.trimmedBytes(text)
        let leadingDigits = bytes.prefix(while: ASCII.isDigit).count
        var versionStart = 0
        var epoch = 0..<0
        if leadingDigits < bytes.count && bytes[leadingDigits] == UInt8(ascii: ":") {
            epoch = 0..<leadingDigits
            versionStart = leadingDigits + 1
        }
        var versionEnd = bytes.count
        var release = bytes.count..<bytes.count
        if let dash = bytes[versionStart...].lastIndex(of: UInt8(ascii: "-")) {
            versionEnd = dash
            release = dash + 1..<bytes.count
        }
        guard versionEnd > versionStart else { return nil }
        self.bytes = bytes
        self.epoch = epoch
        self.version = versionStart..<versionEnd
        self.release = release
    }

    static func < (lhs: RPMVersion, rhs: RPMVersion) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: RPMVersion, rhs: RPMVersion) -> Bool { compare(lhs, rhs) == 0 }

    static func compare(_ lhs: RPMVersion, _ rhs: RPMVersion) -> Int {
        let epochOrder = ASCII.compareDigits(lhs.bytes[lhs.epoch], rhs.bytes[rhs.epoch])
        if epochOrder != 0 { return epochOrder }
        let versionOrder = vercmp(lhs.bytes[lhs.version], rhs.bytes[rhs.version])
        if versionOrder != 0 { return versionOrder }
        return vercmp(lhs.bytes[lhs.release], rhs.bytes[rhs.release])
    }

    /// rpmvercmp: alternating alphabetic and numeric segments; numeric beats alphabetic, `~` sorts before
    /// everything (even the end), `^` after the end but before any further segment.
    static func vercmp(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Int {
        if lhs.elementsEqual(rhs) { return 0 }
        let tilde = UInt8(ascii: "~")
        let caret = UInt8(ascii: "^")
        func isSeparator(_ byte: UInt8) -> Bool { !ASCII.isAlphanumeric(byte) && byte != tilde && byte != caret }
        var left = lhs.startIndex
        var right = rhs.startIndex
        while left < lhs.endIndex || right < rhs.endIndex {
            while left < lhs.endIndex && isSeparator(lhs[left]) { left += 1 }
            while right < rhs.endIndex && isSeparator(rhs[right]) { right += 1 }
            let a: UInt8? = left < lhs.endIndex ? lhs[left] : nil
            let b: UInt8? = right < rhs.endIndex ? rhs[right] : nil
            if a == tilde || b == tilde {
                if a != tilde { return 1 }
                if b != tilde { return -1 }
                left += 1
                right += 1
                continue
            }
            if a == caret || b == caret {
                if a == nil { return -1 }
                if b == nil { return 1 }
                if a != caret { return 1 }
                if b != caret { return -1 }
                left += 1
                right += 1
                continue
            }
            guard let a, b != nil else { break }
            let numeric = ASCII.isDigit(a)
            let belongs = { (byte: UInt8) -> Bool in numeric ? ASCII.isDigit(byte) : ASCII.isLetter(byte) }
            let leftSegment = lhs[left...].prefix(while: belongs)
            let rightSegment = rhs[right...].prefix(while: belongs)
            // The right side has a segment of the other kind here: a numeric segment is newer than an alphabetic one.
            if rightSegment.isEmpty { return numeric ? 1 : -1 }
            let order =
                numeric ? ASCII.compareDigits(leftSegment, rightSegment) : ASCII.compareBytes(leftSegment, rightSegment)
            if order != 0 { return order }
            left = leftSegment.endIndex
            right = rightSegment.endIndex
        }
        let leftDone = left >= lhs.endIndex
        let rightDone = right >= rhs.endIndex
        if leftDone && rightDone { return 0 }
        return leftDone ? -1 : 1
    }
}
