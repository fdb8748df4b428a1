#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Check 448's second half: package files that the walk did not meet as regular files (missing, replaced by a
/// link, behind a link loop), and local diversions. Changed files are found while reading (`FileFindings`).
struct PackageIntegrity {
    let root: RootDirectory
    let contents: PackageDatabaseContents
    let located: LocatedPackageFiles
    let verifyConfigurationFiles: Bool

    func missingAndRedirected(walkedPaths: Set<String>) -> [Finding] {
        var findings: [Finding] = []
        for (path, file) in located.byPath where !walkedPaths.contains(path) {
            let record = file.record
            guard shouldCheck(record, path: path) else { continue }
            guard let info = root.linkStatus(path) else {
                findings.append(missing(record, path: path))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                // On another file system or in a skipped tree: not walked, so not judged.
                continue
            case S_IFLNK:
                if let finding = redirected(record, path: path) { findings.append(finding) }
            case S_IFDIR:
                findings.append(changed(record, path: path, detail: "a folder stands where the package installed a file"))
            default:
                findings.append(changed(record, path: path, detail: "a special file stands where the package installed a file"))
            }
        }
        for (record, path, loop) in located.unreachable where shouldCheck(record, path: path) {
            if loop {
                findings.append(
                    Finding(
                        .alteredPackageFiles,
                        severity: .medium,
                        path: "/" + path,
                        package: record.package,
                        kind: "symlink",
                        detail: "a symbolic link loop on the way to this package file"
                    )
                )
            } else {
                findings.append(missing(record, path: path))
            }
        }
        return findings
    }

    /// Local diversions (made with `dpkg-divert --local`): information, not a failure.
    func localDiversions() -> [Finding] {
        contents.diversions.values.filter { $0.package == nil }.map { diversion in
            Finding(
                .alteredPackageFiles,
                severity: .info,
                path: "/" + diversion.from,
                kind: "diverted",
                detail: "local diversion to /\(diversion.to)"
            )
        }
    }

    private func shouldCheck(_ record: PackageFileRecord, path: String) -> Bool {
        if record.isConfiguration && !verifyConfigurationFiles { return false }
        if FileTreeWalker.skippedTopLevel.contains(where: { path == $0 || path.hasPrefix($0 + "/") }) { return false }
        return !contents.isExcluded(record.path) && !contents.isExcluded(path)
    }

    private func missing(_ record: PackageFileRecord, path: String) -> Finding {
        Finding(
            .alteredPackageFiles,
            severity: .medium,
            path: "/" + path,
            package: record.package,
            kind: "missing",
            detail: "package file is missing"
        )
    }

    private func changed(_ record: PackageFileRecord, path: String, detail: String) -> Finding {
        Finding(.alteredPackageFiles, severity: .high, path: "/" + path, package: record.package, kind: "changed", detail: detail)
    }

    /// A link where the package has a regular file. apk records links with the checksum of their target text.
    private func redirected(_ record: PackageFileRecord, path: String) -> Finding? {
        let target = root.readLink(path) ?? ""
        if hexString(FileDigest.digest(record.algorithm, of: Array(target.utf8))) == record.digest { return nil }
        switch root.resolve(path) {
        case .loop:
            return Finding(
                .alteredPackageFiles,
                severity: .medium,
                path: "/" + path,
                package: record.package,
                kind: "symlink",
                detail: "replaced by a symbolic link loop"
            )
        case .missing:
            return missing(record, path: path)
        case .resolved(let resolved):
            return Finding(
                .alteredPackageFiles,
                severity: .high,
                path: "/" + path,
                package: record.package,
                kind: "symlink",
                detail: "replaced by a symbolic link to /\(resolved)"
            )
        }
    }
}
