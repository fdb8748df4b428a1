/// An OSV ecosystem string split into its family and release: `Debian:12` is family `Debian`, release `12`.
package struct OSVEcosystem: Hashable, Sendable {
    /// The OSV families Scute matches, with the inventory ecosystem they describe and their version ordering.
    package enum Family: String, Sendable, Hashable, CaseIterable {
        case debian = "Debian"
        case ubuntu = "Ubuntu"
        case alpine = "Alpine"
        case wolfi = "Wolfi"
        case chainguard = "Chainguard"
        case redHat = "Red Hat"
        case almaLinux = "AlmaLinux"
        case rockyLinux = "Rocky Linux"
        case suse = "SUSE"
        case openSUSE = "openSUSE"
        case mageia = "Mageia"
        case openEuler = "openEuler"
        case photonOS = "Photon OS"
        case pypi = "PyPI"
        case npm = "npm"
        case go = "Go"
        case maven = "Maven"
        case rubygems = "RubyGems"

        /// The inventory ecosystem (`InstalledPackage.ecosystem`) whose packages this family's records describe.
        package var inventoryEcosystem: String {
            switch self {
            case .debian, .ubuntu: "Debian"
            case .alpine, .wolfi, .chainguard: "Alpine"
            case .redHat, .almaLinux, .rockyLinux, .suse, .openSUSE, .mageia, .openEuler, .photonOS: "RPM"
            case .pypi: "PyPI"
            case .npm: "npm"
            case .go: "Go"
            case .maven: "Maven"
            case .rubygems: "RubyGems"
            }
        }

        /// How the family's `ECOSYSTEM` ranges order versions.
        package var scheme: VersionScheme {
            switch inventoryEcosystem {
            case "Debian": .debian
            case "Alpine": .alpine
            case "RPM": .rpm
            case "PyPI": .pep440
            case "Maven": .maven
            case "RubyGems": .rubygems
            default: .semver
            }
        }

        /// The families an inventory ecosystem is matched against when no release is given: its own distribution
        /// for Debian and Alpine, every RPM distribution for RPM (pass a release to pick one).
        package static func defaults(for inventoryEcosystem: String) -> [Family] {
            switch inventoryEcosystem {
            case "Debian": [.debian]
            case "Alpine": [.alpine]
            default: allCases.filter { $0.inventoryEcosystem == inventoryEcosystem }
            }
        }
    }

    package let family: Family
    /// The release as written after the first `:`, or nil for a family-wide record (`Debian`, `PyPI`).
    package let release: String?

    private static let familiesByLowercasedName = Dictionary(uniqueKeysWithValues: Family.allCases.map { ($0.rawValue.lowercased(), $0) })

    /// Parses `Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04:LTS`, `PyPI` (the family in any case, so `debian:12` from
    /// os-release works too); nil for a family Scute does not match.
    package init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let family = Family(rawValue: String(parts[0])) ?? Self.familiesByLowercasedName[parts[0].lowercased()] else { return nil }
        self.family = family
        self.release = parts.count > 1 && !parts[1].isEmpty ? String(parts[1]) : nil
    }

    /// The release in a comparable form: lower case, no `v` prefix, no `:LTS`; Debian's major version only
    /// (`12.5` is `12`), Alpine's major.minor (`3.19.1` is `3.19`). Ubuntu's `Pro:` stays, so Pro records apply
    /// only to a Pro release.
    package var normalizedRelease: String? {
        guard let release else { return nil }
        var parts = release.lowercased().split(separator: ":").map(String.init).filter { $0 != "lts" }
        if let first = parts.first, first.hasPrefix("v"), first.dropFirst().first?.isNumber == true {
            parts[0] = String(first.dropFirst())
        }
        switch family {
        case .debian:
            if let first = parts.first, first.first?.isNumber == true {
                parts[0] = String(first.prefix { $0 != "." })
            }
        case .alpine:
            if let first = parts.first {
                parts[0] = first.split(separator: ".").prefix(2).joined(separator: ".")
            }
        default:
            break
        }
        return parts.joined(separator: ":")
    }
}
