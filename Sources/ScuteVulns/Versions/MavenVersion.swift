/// A Maven artifact version, ordered as Maven 3.8's `ComparableVersion` orders it.
///
/// Items are split on `.`, `-` and digit/letter transitions; `-`, transitions and a qualifier after `.` open a
/// nested list (`1.0.RC1` = `1-rc-1`). Qualifiers
/// order `alpha` < `beta` < `milestone` < `rc` (= `cr`) < `snapshot` < release (`""`, `ga`, `final`,
/// `release`) < `sp` < any other qualifier (alphabetically); `a1`, `b1`, `m1` mean alpha, beta, milestone;
/// trailing zeros and release qualifiers are dropped (`1` = `1.0` = `1-ga`). Every non-empty string is a valid
/// Maven version.
struct MavenVersion: EcosystemVersion {
    indirect enum Item: Sendable {
        case number(DecimalNumber)
        case qualifier([UInt8])
        case list([Item])

        var isNull: Bool {
            switch self {
            case .number(let value): value.isZero
            case .qualifier(let value): MavenVersion.qualifierRank(value) == MavenVersion.releaseRank
            case .list(let items): items.isEmpty
            }
        }
    }

    let items: [Item]

    private static let qualifiers: [[UInt8]] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"].map { Array($0.utf8) }
    static let releaseRank: [UInt8] = Array("5".utf8)

    init?(_ text: String) {
        let bytes = ASCII.trimmedBytes(text).map(ASCII.lowercased)
        guard !bytes.isEmpty else { return nil }
        // Each `-` or digit/letter transition opens a list nested in the current one, so the lists form a chain.
        var levels: [[Item]] = [[]]
        var isDigit = false
        var start = 0
        func item(_ end: Int) -> Item {
            isDigit ? .number(DecimalNumber(bytes[start..<end])) : .qualifier(Self.alias(bytes[start..<end], followedByDigit: false))
        }
        for (index, byte) in bytes.enumerated() {
            if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-") {
                levels[levels.count - 1].append(index == start ? .number(.zero) : item(index))
                start = index + 1
                if byte == UInt8(ascii: "-") { levels.append([]) }
            } else if ASCII.isDigit(byte) {
                if !isDigit && index > start {
                    // `.X1` is read as `-X1`: a qualifier after items opens its own list.
                    if !levels[levels.count - 1].isEmpty { levels.append([]) }
                    levels[levels.count - 1].append(.qualifier(Self.alias(bytes[start..<index], followedByDigit: true)))
                    start = index
                    levels.append([])
                }
                isDigit = true
            } else {
                if isDigit && index > start {
                    levels[levels.count - 1].append(item(index))
                    start = index
                    levels.append([])
                }
                isDigit = false
            }
        }
        if bytes.count > start {
            if !isDigit && !levels[levels.count - 1].isEmpty { levels.append([]) }
            levels[levels.count - 1].append(item(bytes.count))
        }
        var nested = Self.normalized(levels.removeLast())
        while var level = levels.popLast() {
            level.append(.list(nested))
            nested = Self.normalized(level)
        }
        items = nested
    }

    /// Spelled-out qualifiers: `a1` is alpha 1, `ga`/`final`/`release` are the release, `cr` is `rc`.
    private static func alias(_ value: ArraySlice<UInt8>, followedByDigit: Bool) -> [UInt8] {
        if followedByDigit && value.count == 1 {
            switch value.first {
            case UInt8(ascii: "a"): return Array("alpha".utf8)
            case UInt8(ascii: "b"): return Array("beta".utf8)
            case UInt8(ascii: "m"): return Array("milestone".utf8)
            default: break
            }
        }
        switch String(decoding: value, as: UTF8.self) {
        case "ga", "final", "release": return []
        case "cr": return Array("rc".utf8)
        default: return Array(value)
        }
    }

    /// Drops trailing null items (zero, release, empty list), looking past non-null lists as Maven does.
    private static func normalized(_ items: [Item]) -> [Item] {
        var items = items
        var index = items.count - 1
        while index >= 0 {
            if items[index].isNull {
                items.remove(at: index)
            } else if case .list = items[index] {
            } else {
                break
            }
            index -= 1
        }
        return items
    }

    /// The rank of a qualifier as a string: its index among the known ones, or `7-name` after all of them.
    static func qualifierRank(_ value: [UInt8]) -> [UInt8] {
        if let index = qualifiers.firstIndex(of: value) { return Array(String(index).utf8) }
        return Array("\(qualifiers.count)-".utf8) + value
    }

    static func < (lhs: MavenVersion, rhs: MavenVersion) -> Bool { compare(.list(lhs.items), .list(rhs.items)) < 0 }

    static func == (lhs: MavenVersion, rhs: MavenVersion) -> Bool { compare(.list(lhs.items), .list(rhs.items)) == 0 }

    /// Compares two items; nil stands for a missing item (the shorter list's padding).
    static func compare(_ lhs: Item?, _ rhs: Item?) -> Int {
        guard let lhs else {
            guard let rhs else { return 0 }
            return -compare(rhs, nil)
        }
        switch (lhs, rhs) {
        case (.number(let value), nil): return value.isZero ? 0 : 1
        case (.number(let a), .number(let b)?): return a < b ? -1 : (b < a ? 1 : 0)
        case (.number, _?): return 1
        case (.qualifier(let value), nil): return ASCII.compareBytes(qualifierRank(value)[...], releaseRank[...])
        case (.qualifier, .number?): return -1
        case (.qualifier(let a), .qualifier(let b)?): return ASCII.compareBytes(qualifierRank(a)[...], qualifierRank(b)[...])
        case (.qualifier, .list?): return -1
        case (.list(let items), nil):
            for item in items {
                let result = compare(item, nil)
                if result != 0 { return result }
            }
            return 0
        case (.list, .number?): return -1
        case (.list, .qualifier?): return 1
        case (.list(let a), .list(let b)?):
            for index in 0..<max(a.count, b.count) {
                let result = compare(index < a.count ? a[index] : nil, index < b.count ? b[index] : nil)
                if result != 0 { return result }
            }
            return 0
        }
    }
}
