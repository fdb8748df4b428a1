/// Reads the package header blobs of an rpm database; the real one (ScuteScanSQLite) uses the system SQLite.
package protocol RpmHeaderSource: Sendable {
    /// The `blob` column of every row of the `Packages` table of the SQLite database at `path` (a host path).
    func packageHeaderBlobs(databasePath path: String) throws -> [[UInt8]]
}

/// rpm's database: `rpmdb.sqlite` (rpm 4.16+) through an `RpmHeaderSource`; the older BerkeleyDB `Packages`
/// and ndb `Packages.db` formats are reported as unsupported.
enum RpmDatabase {
    static let sqlitePaths = ["var/lib/rpm/rpmdb.sqlite", "usr/lib/sysimage/rpm/rpmdb.sqlite"]
    static let olderFormats = [
        "var/lib/rpm/Packages": "BerkeleyDB", "var/lib/rpm/Packages.db": "ndb", "usr/lib/sysimage/rpm/Packages.db": "ndb",
        "usr/lib/sysimage/rpm/Packages": "BerkeleyDB",
    ]
    static let configFlag = 1 << 0
    static let ghostFlag = 1 << 6

    static func read(_ root: RootDirectory, source: (any RpmHeaderSource)?) -> PackageDatabaseContents? {
        for path in sqlitePaths {
            guard case .resolved(let resolved) = root.resolve(path) else { continue }
            var contents = PackageDatabaseContents()
            guard let source else {
                contents.issues.append(ScanIssue(path: "/" + path, message: "rpm database found but no SQLite reader was given"))
                return contents
            }
            let hostPath = root.path.hasSuffix("/") ? root.path + resolved : root.path + "/" + resolved
            do {
                for blob in try source.packageHeaderBlobs(databasePath: hostPath) {
                    do {
                        try add(RpmHeader(blob: blob), to: &contents)
                    } catch {
                        contents.issues.append(ScanIssue(path: "/" + path, message: "skipped a package: \(error)"))
                    }
                }
            } catch {
                contents.issues.append(ScanIssue(path: "/" + path, message: "cannot read the rpm database: \(error)"))
            }
            return contents
        }
        for (path, format) in olderFormats.sorted(by: { $0.key < $1.key }) where root.linkStatus(path) != nil {
            var contents = PackageDatabaseContents()
            contents.issues.append(ScanIssue(path: "/" + path, message: "unsupported rpm database format (\(format)); only rpmdb.sqlite is read"))
            return contents
        }
        return nil
    }

    static func add(_ header: RpmHeader, to contents: inout PackageDatabaseContents) throws(ScanError) {
        guard let name = header.string(.name), let version = header.string(.version) else {
            throw .corrupt("rpm header without NAME or VERSION")
        }
        let release = header.string(.release)
        let epoch = header.integers(.epoch).first
        var full = version
        if let release { full += "-" + release }
        if let epoch { full = "\(epoch):" + full }
        var source: String?
        var sourceVersion: String?
        if let sourceRPM = header.string(.sourceRPM), let parsed = parseSourceRPM(sourceRPM) {
            source = parsed.name
            sourceVersion = epoch.map { "\($0):" + parsed.version } ?? parsed.version
        }
        contents.packages.append(InventoryPackage(ecosystem: .rpm, name: name, version: full, source: source, sourceVersion: sourceVersion))

        let algorithmNumber = header.integers(.fileDigestAlgorithm).first ?? 1
        let algorithm: DigestAlgorithm
        switch algorithmNumber {
        case 1: algorithm = .md5
        case 2: algorithm = .sha1
        case 8: algorithm = .sha256
        default:
            contents.issues.append(ScanIssue(message: "package \(name): unsupported file digest algorithm \(algorithmNumber); files not verified"))
            return
        }
        let baseNames = header.strings(.baseNames)
        let dirNames = header.strings(.dirNames)
        let dirIndexes = header.integers(.dirIndexes)
        let digests = header.strings(.fileDigests)
        let modes = header.integers(.fileModes)
        let flags = header.integers(.fileFlags)
        guard dirIndexes.count == baseNames.count, digests.count == baseNames.count else { return }
        for index in baseNames.indices {
            let digest = digests[index].lowercased()
            guard !digest.isEmpty, dirIndexes[index] >= 0, dirIndexes[index] < dirNames.count else { continue }
            if index < modes.count, modes[index] & 0o170000 != 0o100000 { continue }
            let flag = index < flags.count ? flags[index] : 0
            if flag & ghostFlag != 0 { continue }
            var path = dirNames[dirIndexes[index]] + baseNames[index]
            while path.hasPrefix("/") { path.removeFirst() }
            contents.files.append(
                PackageFileRecord(path: path, package: name, algorithm: algorithm, digest: digest, isConfiguration: flag & configFlag != 0)
            )
        }
    }

    /// `name-version-release.src.rpm` to its name and `version-release`.
    static func parseSourceRPM(_ file: String) -> (name: String, version: String)? {
        var base = Substring(file)
        for suffix in [".rpm", ".src", ".nosrc"] where base.hasSuffix(suffix) { base = base.dropLast(suffix.count) }
        let parts = base.split(separator: "-")
        guard parts.count >= 3 else { return nil }
        return (parts.dropLast(2).joined(separator: "-"), parts.suffix(2).joined(separator: "-"))
    }
}
