/// A Debian package version, `[epoch:]upstream[-revision]`, ordered as `dpkg --compare-versions` orders it.
///
/// What dpkg rejects with an error is invalid here (empty version, empty or non-numeric epoch, nothing after the
/// colon, empty revision, embedded spaces); what dpkg only warns about (an upstream not starting with a digit,
/// characters outside its set) is accepted and ordered by the same algorithm, as dpkg does.
struct DebianVersion: EcosystemVersion {
    private let bytes: [UInt8]
    private let epoch: Range<Int>
    private let upstream: Range<Int>
    private let revision: Range<Int>

    init?(_ text: String) {
        let bytes = ASCII.trimmedBytes(text)
        guard !bytes.isEmpty, !bytes.contains(where: ASCII.isSpace) else { return nil }
        var upstreamStart = 0
        var epoch = 0..<0
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            guard colon > 0, bytes[..<colon].allSatisfy(ASCII.isDigit), colon + 1 < bytes.count else { return nil }
            epoch = 0..<colon
            upstreamStart = colon + 1
        }
        var upstreamEnd = bytes.count
        var revision = bytes.count..<bytes.count
        if let dash = bytes.lastIndex(of: UInt8(ascii: "-")), dash >= upstreamStart {
            guard dash + 1 < bytes.count else { return nil }
            upstreamEnd = dash
            revision = dash + 1..<bytes.count
        }
        guard upstreamEnd > upstreamStart else { return nil }
        self.bytes = bytes
        self.epoch = epoch
        self.upstream = upstreamStart..<upstreamEnd
        self.revision = revision
    }

    /// The version without its epoch and revision.
    var upstreamVersion: String { String(decoding: bytes[upstream], as: UTF8.self) }

    static func < (lhs: DebianVersion, rhs: DebianVersion) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: DebianVersion, rhs: DebianVersion) -> Bool { compare(lhs, rhs) == 0 }

    static func compare(_ lhs: DebianVersion, _ rhs: DebianVersion) -> Int {
        let epochOrder = ASCII.compareDigits(lhs.bytes[lhs.epoch], rhs.bytes[rhs.epoch])
        if epochOrder != 0 { return epochOrder }
        let upstreamOrder = compareParts(lhs.bytes[lhs.upstream], rhs.bytes[rhs.upstream])
        if upstreamOrder != 0 { return upstreamOrder }
        return compareParts(lhs.bytes[lhs.revision], rhs.bytes[rhs.revision])
    }

    /// dpkg's weight of a non-digit byte: `~` sorts before the end of the string, which sorts before letters,
    /// which sort before every other symbol.
    private static func weight(_ byte: UInt8?) -> Int {
        guard let byte, !ASCII.isDigit(byte) else { return 0 }
        if ASCII.isLetter(byte) { return Int(byte) }
        if byte == UInt8(ascii: "~") { return -1 }
        return Int(byte) + 256
    }

    /// Alternates between non-digit runs (compared byte by byte by weight) and digit runs (compared by value).
    static func compareParts(_ lhs: ArraySlice<UInt8>, _ rhs: ArraySlice<UInt8>) -> Int {
        var left = lhs.startIndex
        var right = rhs.startIndex
        while left < lhs.endIndex || right < rhs.endIndex {
            while (left < lhs.endIndex && !ASCII.isDigit(lhs[left])) || (right < rhs.endIndex && !ASCII.isDigit(rhs[right])) {
                let a = weight(left < lhs.endIndex ? lhs[left] : nil)
                let b = weight(right < rhs.endIndex ? rhs[right] : nil)
                if a != b { return a < b ? -1 : 1 }
                left += 1
                right += 1
            }
            let leftDigits = lhs[left...].prefix(while: ASCII.isDigit)
            let rightDigits = rhs[right...].prefix(while: ASCII.isDigit)
            let order = ASCII.compareDigits(leftDigits, rightDigits)
            if order != 0 { return order }
            left = leftDigits.endIndex
            right = rightDigits.endIndex
        }
        return 0
    }
}
