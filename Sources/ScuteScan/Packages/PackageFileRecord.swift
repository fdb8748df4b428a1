/// A file that a package database says a package installed, with the digest it recorded.
struct PackageFileRecord: Sendable, Hashable {
    /// Path inside the root as the database names it, without a leading slash.
    let path: String
    let package: String
    let algorithm: DigestAlgorithm
    /// Lower-case hexadecimal.
    let digest: String
    /// A configuration file (dpkg conffile, rpm %config): users may edit it.
    let isConfiguration: Bool
}

/// A dpkg diversion: `from` is now found at `to`, except for the package that diverted it.
struct Diversion: Sendable, Hashable {
    let from: String
    let to: String
    /// The diverting package, or nil for a local diversion (made by an administrator).
    let package: String?
}

/// Everything the package databases of a root say: packages, their files, and what could not be read.
struct PackageDatabaseContents: Sendable {
    var packages: [InventoryPackage] = []
    var files: [PackageFileRecord] = []
    /// Keyed by the diverted path (no leading slash).
    var diversions: [String: Diversion] = [:]
    /// dpkg `path-exclude` / `path-include` filters, in order: files they exclude are expected to be absent.
    var pathFilters: [PathFilter] = []
    var issues: [ScanIssue] = []

    mutating func merge(_ other: PackageDatabaseContents) {
        packages += other.packages
        files += other.files
        diversions.merge(other.diversions) { first, _ in first }
        pathFilters += other.pathFilters
        issues += other.issues
    }

    /// True when a dpkg filter keeps this path (no leading slash) from being installed.
    func isExcluded(_ path: String) -> Bool {
        var excluded = false
        for filter in pathFilters where filter.matches("/" + path) { excluded = filter.excludes }
        return excluded
    }
}

/// One `path-exclude=GLOB` or `path-include=GLOB` line of dpkg's configuration.
struct PathFilter: Sendable, Hashable {
    let pattern: String
    let excludes: Bool

    func matches(_ absolutePath: String) -> Bool {
        fnmatchPath(pattern, absolutePath)
    }
}
