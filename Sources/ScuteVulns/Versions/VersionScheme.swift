/// A version of one ecosystem, parsed once and ordered by that ecosystem's own rules.
///
/// Parsing returns nil for a string the ecosystem's grammar rejects: an invalid version is never ordered
/// against anything (the matcher reports it as skipped, with the reason, instead of guessing).
protocol EcosystemVersion: Comparable, Sendable {
    init?(_ text: String)
}

/// The version orderings Scute knows, one per ecosystem family.
package enum VersionScheme: String, Sendable, Hashable, Codable, CaseIterable {
    /// dpkg's ordering: epoch, upstream, revision; `~` before everything, letters before other symbols.
    case debian
    /// apk's ordering: digits, a letter, `_alpha`.. `_p` suffixes, `-rN`.
    case alpine
    /// rpmvercmp with epoch and release, `~` and `^`.
    case rpm
    /// PEP 440 (PyPI): epochs, pre, post and dev releases, local versions.
    case pep440
    /// SemVer 2.0.0 (npm, Go modules, OSV `SEMVER` ranges); a leading `v` is accepted.
    case semver
    /// Maven's ComparableVersion.
    case maven
    /// RubyGems' Gem::Version.
    case rubygems

    /// Whether `version` is valid in this scheme; an invalid version is never ordered.
    package func isValid(_ version: String) -> Bool {
        switch self {
        case .debian: DebianVersion(version) != nil
        case .alpine: AlpineVersion(version) != nil
        case .rpm: RPMVersion(version) != nil
        case .pep440: PEP440Version(version) != nil
        case .semver: SemanticVersion(version) != nil
        case .maven: MavenVersion(version) != nil
        case .rubygems: RubyGemsVersion(version) != nil
        }
    }

    /// Orders two versions: -1, 0 or 1, or nil when either is not a valid version of this scheme.
    package func compare(_ lhs: String, _ rhs: String) -> Int? {
        switch self {
        case .debian: Self.compare(DebianVersion.self, lhs, rhs)
        case .alpine: Self.compare(AlpineVersion.self, lhs, rhs)
        case .rpm: Self.compare(RPMVersion.self, lhs, rhs)
        case .pep440: Self.compare(PEP440Version.self, lhs, rhs)
        case .semver: Self.compare(SemanticVersion.self, lhs, rhs)
        case .maven: Self.compare(MavenVersion.self, lhs, rhs)
        case .rubygems: Self.compare(RubyGemsVersion.self, lhs, rhs)
        }
    }

    /// Whether two versions are the same version in this scheme (`1.0` and `1.0.0` in Maven), falling back to
    /// string equality when either is invalid.
    package func equal(_ lhs: String, _ rhs: String) -> Bool {
        if lhs == rhs { return true }
        return compare(lhs, rhs) == 0
    }

    private static func compare<V: EcosystemVersion>(_ type: V.Type, _ lhs: String, _ rhs: String) -> Int? {
        guard let left = V(lhs), let right = V(rhs) else { return nil }
        return left < right ? -1 : (left == right ? 0 : 1)
    }
}
