#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The defender bundle: a tar.gz whose top level holds `defender` (the static defender executable) and
/// `VERSION`. The sidecar unpacks it into the shared volume and the Dockerfile embed ADDs it into the data
/// folder, so the defender is `<data folder>/defender` in both.
public enum DefenderBundle {
    /// The executable's name inside the bundle.
    public static let executableName = "defender"
    /// The default file name of the bundle.
    public static let defaultFileName = "scute-defender.tar.gz"

    /// Builds the bundle from the defender executable's bytes. Deterministic: the same executable gives the
    /// same bundle bytes.
    public static func make(defender: [UInt8], version: String) throws(BundleError) -> [UInt8] {
        let tar = try Tar.write([
            Tar.Entry(path: executableName, mode: 0o755, data: defender),
            Tar.Entry(path: "VERSION", mode: 0o644, data: Array((version + "\n").utf8)),
        ])
        return try Gzip.compress(tar)
    }

    /// The architecture of the defender inside a bundle (`amd64`, `arm64`), nil when the bytes are not a
    /// bundle holding an ELF defender.
    public static func architecture(ofBundle bundle: [UInt8]) -> String? {
        guard let tar = try? Gzip.decompress(bundle), let entries = try? Tar.read(tar),
            let defender = entries.first(where: { $0.path == executableName || $0.path == "./" + executableName })
        else { return nil }
        return ELF.architecture(defender.data)
    }

    /// Unpacks a bundle (any tar.gz of files and directories) into a folder, creating it. Each file is
    /// written under a temporary name and renamed into place, so a reader never sees a partial defender.
    /// Entries that would land outside the folder are rejected. Returns the paths written.
    @discardableResult
    public static func unpack(_ archive: [UInt8], into folder: String) throws(BundleError) -> [String] {
        let entries = try Tar.read(try Gzip.decompress(archive))
        try FileSystem.makeDirectories(folder)
        var written: [String] = []
        for entry in entries {
            let parts = entry.path.split(separator: "/").filter { $0 != "." }
            guard !entry.path.hasPrefix("/"), !parts.contains("..") else {
                throw .unsafePath("bundle member \(entry.path) would land outside \(folder)")
            }
            if parts.isEmpty { continue }
            let target = folder + "/" + parts.joined(separator: "/")
            switch entry.kind {
            case .directory:
                try FileSystem.makeDirectories(target)
            case .file:
                if parts.count > 1 { try FileSystem.makeDirectories(folder + "/" + parts.dropLast().joined(separator: "/")) }
                try FileSystem.writeAtomically(entry.data, to: target, mode: mode_t(entry.mode & 0o7777))
                written.append(target)
            }
        }
        return written
    }
}

/// The few file system calls the bundle and the sidecar need, over the C library.
public enum FileSystem {
    static func failure(_ what: String, _ path: String) -> BundleError {
        .io("\(what) \(path): \(String(cString: strerror(errno)))")
    }

    /// Reads a whole file.
    public static func read(_ path: String) throws(BundleError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw failure("cannot open", path) }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw failure("cannot read", path)
            }
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    /// Writes a file under a temporary name in the same folder, then renames it into place.
    public static func writeAtomically(_ data: [UInt8], to path: String, mode: mode_t = 0o644) throws(BundleError) {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        if fd < 0 { throw failure("cannot create", temporary) }
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeBytes { write(fd, $0.baseAddress! + offset, data.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let error = failure("cannot write", temporary)
                close(fd)
                unlink(temporary)
                throw error
            }
            offset += n
        }
        // The umask must not take execute permission away from the defender.
        fchmod(fd, mode)
        if fsync(fd) != 0 && errno != EINVAL {
            let error = failure("cannot sync", temporary)
            close(fd)
            unlink(temporary)
            throw error
        }
        close(fd)
        if rename(temporary, path) != 0 {
            let error = failure("cannot rename into", path)
            unlink(temporary)
            throw error
        }
    }

    /// Creates a folder and its parents (like mkdir -p).
    public static func makeDirectories(_ path: String) throws(BundleError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST { throw failure("cannot create folder", current) }
        }
        guard isDirectory(path) else { throw .io("\(path) exists and is not a folder") }
    }

    /// Whether a path is a folder.
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether a path is a regular file that the caller may execute.
    public static func isExecutableFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG && access(path, X_OK) == 0
    }

    /// Whether a path exists.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    /// Removes a file if it is there.
    public static func remove(_ path: String) throws(BundleError) {
        if unlink(path) != 0 && errno != ENOENT { throw failure("cannot remove", path) }
    }

    /// The absolute path of the running executable.
    public static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
