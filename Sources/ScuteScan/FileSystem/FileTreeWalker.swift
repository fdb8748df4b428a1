#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One regular file met by the walk.
struct WalkedFile: Sendable {
    /// Path inside the root, without a leading slash.
    let path: String
    let size: Int
    let mode: UInt32

    var isExecutable: Bool { mode & 0o111 != 0 }
    /// The last path component.
    var name: Substring {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return Substring(path) }
        return path[path.utf8.index(after: slash)...]
    }
}

/// What the walk found: regular files, symbolic links, and the paths it could not enter or chose not to.
struct WalkResult: Sendable {
    var files: [WalkedFile] = []
    var symlinks: [String] = []
    var problems: [ScanIssue] = []
}

/// Walks a root once, depth first, without following symbolic links, without leaving the root's file system,
/// and without entering `/proc`, `/sys` or `/dev`. Special files (FIFOs, devices, sockets) are never opened.
struct FileTreeWalker {
    /// Top-level folders that hold no image content.
    static let skippedTopLevel: Set<String> = ["proc", "sys", "dev"]
    /// Deeper trees than this are reported and not entered (descriptors stay bounded).
    var maximumDepth = 128

    func walk(_ root: RootDirectory) -> WalkResult {
        var result = WalkResult()
        let fd = openat(root.descriptor, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            result.problems.append(ScanIssue(path: "/", message: "cannot open the root: \(errnoMessage())"))
            return result
        }
        walkFolder(fd, path: "", depth: 0, root: root, into: &result)
        return result
    }

    /// Reads one folder (takes ownership of `fd`) and recurses into its subfolders.
    private func walkFolder(_ fd: Int32, path: String, depth: Int, root: RootDirectory, into result: inout WalkResult) {
        guard let dir = fdopendir(fd) else {
            closeDescriptor(fd)
            result.problems.append(ScanIssue(path: "/" + path, message: "cannot read folder: \(errnoMessage())"))
            return
        }
        defer { closedir(dir) }
        var subfolders: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let child = path.isEmpty ? name : path + "/" + name
            let type = entry.pointee.d_type
            if type == UInt8(DT_LNK) {
                result.symlinks.append(child)
                continue
            }
            if type != UInt8(DT_REG) && type != UInt8(DT_DIR) && type != UInt8(DT_UNKNOWN) { continue }
            var info = stat()
            guard fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else {
                result.problems.append(ScanIssue(path: "/" + child, message: "cannot stat: \(errnoMessage())"))
                continue
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                result.files.append(WalkedFile(path: child, size: Int(info.st_size), mode: UInt32(info.st_mode)))
            case S_IFDIR:
                if UInt64(info.st_dev) != root.device { continue }
                if path.isEmpty && Self.skippedTopLevel.contains(name) { continue }
                subfolders.append(name)
            case S_IFLNK:
                result.symlinks.append(child)
            default:
                continue
            }
        }
        for name in subfolders {
            let child = path.isEmpty ? name : path + "/" + name
            guard depth + 1 < maximumDepth else {
                result.problems.append(ScanIssue(path: "/" + child, message: "not entered: deeper than \(maximumDepth) folders"))
                continue
            }
            let childFD = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard childFD >= 0 else {
                result.problems.append(ScanIssue(path: "/" + child, message: "cannot open folder: \(errnoMessage())"))
                continue
            }
            walkFolder(childFD, path: child, depth: depth + 1, root: root, into: &result)
        }
    }
}
