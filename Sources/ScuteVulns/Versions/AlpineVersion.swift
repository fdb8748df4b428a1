/// An Alpine apk version, ordered as current apk-tools (2.14 and 3) order it.
///
/// Grammar: `digits(.digits)*[letter](_suffix[digits])*[~hexhash][-rdigits]`. Suffixes `_alpha`, `_beta`, `_pre`,
/// `_rc` sort before the release, `_cvs`, `_svn`, `_git`, `_hg`, `_p` after it. A dotted component with a leading
/// zero (in either version) compares as a string (`1.01` < `1.1`, `1.0` < `1.01`); a version that ends earlier is
/// older unless the other goes on with a pre-release suffix. Anything else (an upper-case letter, a digit right
/// after the letter, an unknown suffix, a `-` not followed by `r` and digits) is invalid.
struct AlpineVersion: EcosystemVersion {
    /// Token kinds in apk's order: where two versions diverge in kind, the higher kind is the older version.
    enum Kind: Int, Sendable {
        case initialNumber, number, letter, suffix, suffixNumber, commitHash, revision, end
    }

    struct Token: Sendable {
        let kind: Kind
        let text: ArraySlice<UInt8>
        /// The suffix's rank (alpha 1 ... rc 4, release 5, cvs 6 ... p 10), 0 for other tokens.
        let suffixRank: Int
    }

    let tokens: [Token]

    private static let suffixes: [[UInt8]] = ["alpha", "beta", "pre", "rc", "", "cvs", "svn", "git", "hg", "p"].map { Array($0.utf8) }
    private static let releaseRank = 5

    init?(_ text: String) {
        let bytes = ASCII.trimmedBytes(text)
        var position = 0
        func run(_ belongs: (UInt8) -> Bool) -> ArraySlice<UInt8> {
            let slice = bytes[position...].prefix(while: belongs)
            position = slice.endIndex
            return slice
        }
        let first = run(ASCII.isDigit)
        guard !first.isEmpty else { return nil }
        var tokens = [Token(kind: .initialNumber, text: first, suffixRank: 0)]
        var last = Kind.initialNumber
        while position < bytes.count {
            let byte = bytes[position]
            var rank = 0
            let kind: Kind
            let text: ArraySlice<UInt8>
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"):
                guard last.rawValue <= Kind.number.rawValue else { return nil }
                kind = .letter
                text = bytes[position..<position + 1]
                position += 1
            case UInt8(ascii: "."):
                guard last.rawValue <= Kind.number.rawValue else { return nil }
                position += 1
                kind = .number
                text = run(ASCII.isDigit)
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                guard last == .suffix else { return nil }
                kind = .suffixNumber
                text = run(ASCII.isDigit)
            case UInt8(ascii: "_"):
                guard last.rawValue <= Kind.suffixNumber.rawValue else { return nil }
                position += 1
                text = run { $0 &- UInt8(ascii: "a") < 26 }
                guard !text.isEmpty, let index = Self.suffixes.firstIndex(where: { $0[...] == text }) else { return nil }
                kind = .suffix
                rank = index + 1
            case UInt8(ascii: "~"):
                guard last.rawValue < Kind.commitHash.rawValue else { return nil }
                position += 1
                kind = .commitHash
                text = run { ASCII.isDigit($0) || ($0 | 0x20) &- UInt8(ascii: "a") < 6 }
            case UInt8(ascii: "-"):
                guard last.rawValue < Kind.revision.rawValue, position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "r")
                else { return nil }
                position += 2
                kind = .revision
                text = run(ASCII.isDigit)
            default:
                return nil
            }
            guard !text.isEmpty else { return nil }
            tokens.append(Token(kind: kind, text: text, suffixRank: rank))
            last = kind
        }
        self.tokens = tokens
    }

    static func < (lhs: AlpineVersion, rhs: AlpineVersion) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: AlpineVersion, rhs: AlpineVersion) -> Bool { compare(lhs, rhs) == 0 }

    private static func compare(_ lhs: Token, _ rhs: Token) -> Int {
        switch lhs.kind {
        case .number where lhs.text.first == UInt8(ascii: "0") || rhs.text.first == UInt8(ascii: "0"):
            return ASCII.compareBytes(lhs.text, rhs.text)
        case .initialNumber, .number, .suffixNumber, .revision:
            return ASCII.compareDigits(lhs.text, rhs.text)
        case .suffix:
            return lhs.suffixRank < rhs.suffixRank ? -1 : (lhs.suffixRank > rhs.suffixRank ? 1 : 0)
        case .letter, .commitHash, .end:
            return ASCII.compareBytes(lhs.text, rhs.text)
        }
    }

    static func compare(_ lhs: AlpineVersion, _ rhs: AlpineVersion) -> Int {
        var index = 0
        while index < lhs.tokens.count, index < rhs.tokens.count, lhs.tokens[index].kind == rhs.tokens[index].kind {
            let order = compare(lhs.tokens[index], rhs.tokens[index])
            if order != 0 { return order }
            index += 1
        }
        let left: Token? = index < lhs.tokens.count ? lhs.tokens[index] : nil
        let right: Token? = index < rhs.tokens.count ? rhs.tokens[index] : nil
        let leftKind = left?.kind ?? .end
        let rightKind = right?.kind ?? .end
        if leftKind == rightKind { return 0 }
        // Equal so far: the version that goes on is newer, unless what follows is a pre-release suffix.
        if let left, left.kind == .suffix, left.suffixRank < releaseRank { return -1 }
        if let right, right.kind == .suffix, right.suffixRank < releaseRank { return 1 }
        return leftKind.rawValue > rightKind.rawValue ? -1 : 1
    }
}
