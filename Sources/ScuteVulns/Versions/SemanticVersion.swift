/// A SemVer 2.0.0 version, ordered by precedence (section 11): build metadata is ignored, a pre-release sorts
/// before its release, numeric identifiers by value and before alphanumeric ones.
///
/// Used for npm, Go modules and OSV `SEMVER` ranges. Lenient where those ecosystems are: a leading `v` (Go) or
/// `=` (npm), a missing minor or patch (`1.2` is `1.2.0`, as OSV's tooling reads it), leading zeros. Go
/// pseudo-versions (`v0.0.0-20210101000000-abcdef123456`) are plain pre-releases and sort as Go sorts them;
/// `+incompatible` is build metadata. Empty identifiers or characters outside `[0-9A-Za-z-]` are invalid.
struct SemanticVersion: EcosystemVersion {
    enum Identifier: Comparable, Sendable {
        case number(DecimalNumber)
        case text([UInt8])

        static func < (lhs: Identifier, rhs: Identifier) -> Bool {
            switch (lhs, rhs) {
            case (.number(let a), .number(let b)): a < b
            case (.text(let a), .text(let b)): ASCII.compareBytes(a[...], b[...]) < 0
            case (.number, .text): true
            case (.text, .number): false
            }
        }
    }

    let major: DecimalNumber
    let minor: DecimalNumber
    let patch: DecimalNumber
    let prerelease: [Identifier]

    init?(_ text: String) {
        var bytes = ASCII.trimmedBytes(text)[...]
        if let first = bytes.first, first == UInt8(ascii: "v") || first == UInt8(ascii: "V") || first == UInt8(ascii: "=") {
            bytes = bytes.dropFirst()
        }
        if let plus = bytes.firstIndex(of: UInt8(ascii: "+")) {
            let build = bytes[(plus + 1)...]
            guard Self.identifiers(build) != nil else { return nil }
            bytes = bytes[..<plus]
        }
        var prerelease: [Identifier] = []
        if let dash = bytes.firstIndex(of: UInt8(ascii: "-")) {
            guard let identifiers = Self.identifiers(bytes[(dash + 1)...]) else { return nil }
            prerelease = identifiers
            bytes = bytes[..<dash]
        }
        let core = bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard (1...3).contains(core.count), core.allSatisfy({ !$0.isEmpty && $0.allSatisfy(ASCII.isDigit) }) else { return nil }
        major = DecimalNumber(core[0])
        minor = core.count > 1 ? DecimalNumber(core[1]) : .zero
        patch = core.count > 2 ? DecimalNumber(core[2]) : .zero
        self.prerelease = prerelease
    }

    private static func identifiers(_ bytes: ArraySlice<UInt8>) -> [Identifier]? {
        var result: [Identifier] = []
        for part in bytes.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.allSatisfy({ ASCII.isAlphanumeric($0) || $0 == UInt8(ascii: "-") }) else { return nil }
            result.append(part.allSatisfy(ASCII.isDigit) ? .number(DecimalNumber(part)) : .text(Array(part)))
        }
        return result
    }

    static func < (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool { compare(lhs, rhs) < 0 }

    static func == (lhs: SemanticVersion, rhs: SemanticVersion) -> Bool { compare(lhs, rhs) == 0 }

    static func compare(_ lhs: SemanticVersion, _ rhs: SemanticVersion) -> Int {
        for (a, b) in [(lhs.major, rhs.major), (lhs.minor, rhs.minor), (lhs.patch, rhs.patch)] where a != b {
            return a < b ? -1 : 1
        }
        switch (lhs.prerelease.isEmpty, rhs.prerelease.isEmpty) {
        case (true, true): return 0
        case (true, false): return 1
        case (false, true): return -1
        case (false, false):
            if lhs.prerelease.lexicographicallyPrecedes(rhs.prerelease) { return -1 }
            return rhs.prerelease.lexicographicallyPrecedes(lhs.prerelease) ? 1 : 0
        }
    }
}
