/// One installed package, as the inventory reports it.
package struct InstalledPackage: Codable, Hashable, Sendable {
    /// `Debian`, `Alpine`, `RPM`, `PyPI`, `npm`, `Go`, `Maven` or `RubyGems`.
    package var ecosystem: String
    /// The binary package's name (`bsdutils`), a PyPI project, an npm package, a Go module path, `group:artifact`.
    package var name: String
    package var version: String
    /// The source package (dpkg's `Source`, apk's origin, the source RPM's name), when it differs or is known.
    package var source: String?
    /// The source package's version when it differs from `version` (a binNMU `+b1`, a binary-only epoch).
    package var sourceVersion: String?
    /// Where the package was found (a lock file, a jar, a Go binary), for language packages.
    package var path: String?

    package init(
        ecosystem: String,
        name: String,
        version: String,
        source: String? = nil,
        sourceVersion: String? = nil,
        path: String? = nil
    ) {
        self.ecosystem = ecosystem
        self.name = name
        self.version = version
        self.source = source
        self.sourceVersion = sourceVersion
        self.path = path
    }
}
