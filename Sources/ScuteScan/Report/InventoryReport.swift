#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The package ecosystems an inventory reports, spelled as OSV spells them.
package enum Ecosystem: String, Codable, Sendable, Hashable, CaseIterable {
    case debian = "Debian"
    case alpine = "Alpine"
    case rpm = "RPM"
    case pypi = "PyPI"
    case npm = "npm"
    case go = "Go"
    case maven = "Maven"
    case rubyGems = "RubyGems"
}

/// One installed package, OS or language.
package struct InventoryPackage: Codable, Hashable, Sendable {
    /// `Debian`, `Alpine`, `RPM`, `PyPI`, `npm`, `Go`, `Maven` or `RubyGems`.
    package var ecosystem: String
    package var name: String
    package var version: String
    /// The source package's name (dpkg, apk, rpm).
    package var source: String?
    package var sourceVersion: String?
    /// Where it was found (absolute inside the root): the metadata file, archive or binary.
    package var path: String?

    package init(ecosystem: Ecosystem, name: String, version: String, source: String? = nil, sourceVersion: String? = nil, path: String? = nil) {
        self.ecosystem = ecosystem.rawValue
        self.name = name
        self.version = version
        self.source = source
        self.sourceVersion = sourceVersion
        self.path = path
    }
}

/// The result of `scute inventory`: `{"packages": [...]}` (errors are listed apart and not encoded when empty).
package struct InventoryReport: Codable, Sendable, Equatable {
    package var packages: [InventoryPackage]
    package var errors: [ScanIssue]?

    package init(packages: [InventoryPackage] = [], errors: [ScanIssue] = []) {
        self.packages = packages
        self.errors = errors.isEmpty ? nil : errors
    }

    /// Packages in a stable order: ecosystem, name, version, path.
    package mutating func sort() {
        packages.sort { ($0.ecosystem, $0.name, $0.version, $0.path ?? "") < ($1.ecosystem, $1.name, $1.version, $1.path ?? "") }
    }

    /// The inventory as JSON with keys in a stable (sorted) order.
    package func jsonData(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A plain-text table for people.
    package func table() -> String {
        var rows = [["ECOSYSTEM", "NAME", "VERSION", "SOURCE", "PATH"]]
        for package in packages {
            let source = package.source.map { name in package.sourceVersion.map { "\(name) \($0)" } ?? name } ?? ""
            rows.append([package.ecosystem, package.name, package.version, source, package.path ?? ""])
        }
        var text = TextTable.render(rows)
        for issue in errors ?? [] { text += "error: \(issue.path.map { "\($0): " } ?? "")\(issue.message)\n" }
        text += "\(packages.count) package(s).\n"
        return text
    }
}
