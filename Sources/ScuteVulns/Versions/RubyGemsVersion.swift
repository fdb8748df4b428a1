/// A RubyGems version, ordered as `Gem::Version#<=>` orders it.
///
/// Grammar: `digits(.alnum+)*(-[alnum-]+(.[alnum-]+)*)?`; `-` means `.pre.`. Segments are runs of digits (numbers)
/// or letters (strings); any letter makes a pre-release, which sorts before the release (`1.0.a` < `1.0`). Trailing
/// zeros of the release part and of the pre-release part are dropped. Anything else is invalid.
struct RubyGemsVersion: EcosystemVersion {
    enum Segment: Sendable, Equatable {
        case number(DecimalNumber)
        case text([UInt8])
    }

    let segments: [Segment]

    init?(_ text: String) {
        let bytes = ASCII.trimmedBytes(text)
        guard Self.isValid(bytes) else { return nil }
        var expanded: [UInt8] = []
        for byte in bytes {
            if byte == UInt8(ascii: "-") { expanded += Array(".pre.".utf8) } else { expanded.append(byte) }
        }
        var segments: [Segment] = []
        var index = 0
        while index < expanded.count {
            let byte = expanded[index]
            if ASCII.isDigit(byte) {
                let run = expanded[index...].prefix(while: ASCII.isDigit)
                segments.append(.number(DecimalNumber(run)))
                index = run.endIndex
            } else if ASCII.isLetter(byte) {
                let run = expanded[index...].prefix(while: ASCII.isLetter)
                segments.append(.text(Array(run)))
                index = run.endIndex
            } else {
                index += 1
            }
        }
        // Canonical form: trailing zeros dropped from the release part and from the pre-release part.
        let firstText = segments.firstIndex { if case .text = $0 { true } else { false } } ?? segments.count
        self.segments = Self.droppingTrailingZeros(segments[..<firstText]) + Self.droppingTrailingZeros(segments[firstText...])
    }

    private static func droppingTrailingZeros(_ segments: ArraySlice<Segment>) -> [Segment] {
        var result = Array(segments)
        while let last = result.last, case .number(let value) = last, value.isZero { result.removeLast() }
        return result
    }

    /// `\s*([0-9]+(\.[0-9a-zA-Z]+)*(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?)?\s*`, whitespace already trimmed.
    private static func isValid(_ bytes: [UInt8]) -> Bool {
        if bytes.isEmpty { return true }
        guard ASCII.isDigit(bytes[0]) else { return false }
        let dash = bytes.firstIndex(of: UInt8(ascii: "-")) ?? bytes.count
        let release = bytes[..<dash].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard release[0].allSatisfy(ASCII.isDigit), release.allSatisfy({ !$0.isEmpty && $0.allSatisfy(ASCII.isAlphanumeric) }) else {
            return false
        }
        guard dash < bytes.count else { return true }
        let pre = bytes[(dash + 1)...].split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        return pre.allSatisfy { !$0.isEmpty && $0.allSatisfy { ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") } }
    }

    static func < (lhs: RubyGemsVersion, rhs: RubyGemsVersion) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: RubyGemsVersion, rhs: RubyGemsVersion) -> Bool { compare(lhs, rhs) == 0 }

    /// Pairwise over the longer length, a missing segment being 0; a string sorts before a number.
    static func compare(_ lhs: RubyGemsVersion, _ rhs: RubyGemsVersion) -> Int {
        for index in 0..<max(lhs.segments.count, rhs.segments.count) {
            let a = index < lhs.segments.count ? lhs.segments[index] : .number(.zero)
            let b = index < rhs.segments.count ? rhs.segments[index] : .number(.zero)
            switch (a, b) {
            case (.number(let x), .number(let y)) where x != y: return x < y ? -1 : 1
            case (.text(let x), .text(let y)) where x != y: return ASCII.compareBytes(x[...], y[...])
            case (.text, .number): return -1
            case (.number, .text): return 1
            default: continue
            }
        }
        return 0
    }
}
