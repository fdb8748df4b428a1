import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Whether an executable is as its package installed it.
package enum BinaryIntegrity: Equatable, Sendable {
    /// No package database lists this file.
    case notOwned
    /// Its checksum matches the package database.
    case intact(package: String)
    /// Its checksum differs from the package database: a "modified binary".
    case modified(package: String)
    /// Owned, but it could not be read (missing, not a regular file, unreadable).
    case unreadable(package: String, reason: String)
}

/// A prebuilt index of package-owned files, for the defender's "modified binary" process finding: given the
/// path of an executed file, is it package-owned and does its checksum match? Verdicts are cached per
/// (inode, size, modification time), so repeated launches of one binary hash it once.
package final class PackageFileIndex: Sendable {
    private let root: RootDirectory
    private let files: [String: LocatedPackageFile]
    private let cache = Mutex<[String: (stamp: FileStamp, verdict: BinaryIntegrity)]>([:])

    /// The number of package files indexed.
    package var count: Int { files.count }

    /// Reads the package databases under `root` (`/` for the running container) and indexes their files.
    package init(root: String, rpmHeaderSource: (any RpmHeaderSource)? = nil) throws(ScanError) {
        self.root = try RootDirectory(path: root)
        let contents = PackageDatabases.read(self.root, rpmHeaderSource: rpmHeaderSource)
        self.files = PackageDatabases.locate(contents, in: self.root).byPath
    }

    /// The verdict for an executable at `path` (absolute as seen inside the root; links inside the root resolved).
    package func verify(_ path: String) -> BinaryIntegrity {
        guard case .resolved(let canonical) = root.resolve(path) else {
            return files[String(path.drop { $0 == "/" })].map { .unreadable(package: $0.record.package, reason: "path does not resolve") }
                ?? .notOwned
        }
        guard let located = files[canonical] else { return .notOwned }
        let package = located.record.package
        let file: OpenedFile
        switch root.openRegularFile(canonical) {
        case .success(let opened): file = opened
        case .failure(let problem): return .unreadable(package: package, reason: "\(problem)")
        }
        defer { file.close() }
        var info = stat()
        fstat(file.descriptor, &info)
        let stamp = FileStamp(
            device: UInt64(info.st_dev),
            inode: UInt64(info.st_ino),
            size: Int64(info.st_size),
            modified: info.st_mtim.tv_sec,
            modifiedNanoseconds: info.st_mtim.tv_nsec,
            changed: info.st_ctim.tv_sec,
            changedNanoseconds: info.st_ctim.tv_nsec
        )
        if let cached = cache.withLock({ $0[canonical] }), cached.stamp == stamp { return cached.verdict }
        let facts = ContentInspector().inspect(file, interest: ContentInterest(digest: located.record.algorithm))
        let verdict: BinaryIntegrity
        if let problem = facts.problem {
            verdict = .unreadable(package: package, reason: "\(problem)")
        } else {
            verdict = facts.digest == located.record.digest ? .intact(package: package) : .modified(package: package)
        }
        cache.withLock { $0[canonical] = (stamp, verdict) }
        return verdict
    }
}

/// Identifies one version of a file's content without reading it.
private struct FileStamp: Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modified: Int
    let modifiedNanoseconds: Int
    let changed: Int
    let changedNanoseconds: Int
}
