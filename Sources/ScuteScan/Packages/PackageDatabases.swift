/// Reads every package database a root has (dpkg, apk, rpm) and places each package file where it really is.
enum PackageDatabases {
    static func read(_ root: RootDirectory, rpmHeaderSource: (any RpmHeaderSource)?) -> PackageDatabaseContents {
        var contents = PackageDatabaseContents()
        if let dpkg = DpkgDatabase.read(root) { contents.merge(dpkg) }
        if let apk = ApkDatabase.read(root) { contents.merge(apk) }
        if let rpm = RpmDatabase.read(root, source: rpmHeaderSource) { contents.merge(rpm) }
        return contents
    }

    /// Package files keyed by the link-free path where they live (merged /usr, diversions applied), and the
    /// ones whose folder cannot be reached (a missing folder, or a link loop on the way).
    static func locate(_ contents: PackageDatabaseContents, in root: RootDirectory) -> LocatedPackageFiles {
        var located = LocatedPackageFiles()
        var folders: [Substring: PathResolution] = [:]
        located.byPath.reserveCapacity(contents.files.count)
        for record in contents.files {
            var path = record.path
            if let diversion = contents.diversions[path], diversion.package != record.package { path = diversion.to }
            let slash = path.lastIndex(of: "/")
            let folder = slash.map { path[..<$0] } ?? ""
            let name = slash.map { path[path.index(after: $0)...] } ?? Substring(path)
            let resolution: PathResolution
            if let cached = folders[folder] {
                resolution = cached
            } else {
                resolution = root.resolve(String(folder))
                folders[folder] = resolution
            }
            switch resolution {
            case .resolved(let resolvedFolder):
                let canonical = resolvedFolder.isEmpty ? String(name) : resolvedFolder + "/" + name
                if located.byPath[canonical] == nil { located.byPath[canonical] = LocatedPackageFile(record: record, diskPath: path) }
            case .missing:
                located.unreachable.append((record, path, false))
            case .loop:
                located.unreachable.append((record, path, true))
            }
        }
        return located
    }
}

/// A package file and the path (diversions applied, links not yet resolved) where it should be.
struct LocatedPackageFile: Sendable {
    let record: PackageFileRecord
    let diskPath: String
}

/// Where package files are on disk.
struct LocatedPackageFiles: Sendable {
    /// Keyed by the link-free path inside the root.
    var byPath: [String: LocatedPackageFile] = [:]
    /// Files whose folder is missing (`loop` false) or sits behind a link loop (`loop` true).
    var unreachable: [(record: PackageFileRecord, path: String, loop: Bool)] = []
}
