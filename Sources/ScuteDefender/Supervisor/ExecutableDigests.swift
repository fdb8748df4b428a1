import Glibc
import ScuteScan

/// SHA-256 digests of executables, for process rules written as `sha256:HEX`. The file is read through
/// /proc/PID/exe (the very file the kernel maps, whatever its name or whether it was renamed or deleted)
/// and the digest is kept per device, inode, size, mtime and ctime: an executable is hashed once however
/// often it runs, and any change to it (which moves ctime) makes it hashed again.
struct ExecutableDigests {
    private struct Key: Hashable {
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int64
        var changed: Int64
    }

    static let capacity = 1024
    /// Files larger than this are not hashed (the check then refuses what it cannot judge).
    static let sizeLimit: Int64 = 1 << 30
    private var digests: [Key: String] = [:]

    /// The hex digest of task `pid`'s executable; nil when it cannot be read.
    mutating func digest(pid: Int32) -> String? {
        let fd = open("/proc/\(pid)/exe", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size <= Self.sizeLimit else { return nil }
        let key = Key(
            device: UInt64(st.st_dev),
            inode: UInt64(st.st_ino),
            size: Int64(st.st_size),
            modified: Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec),
            changed: Int64(st.st_ctim.tv_sec) * 1_000_000_000 + Int64(st.st_ctim.tv_nsec)
        )
        if let known = digests[key] { return known }
        var digest = FileDigest(.sha256)
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if n == 0 { break }
            buf.withUnsafeBytes { digest.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        let hex = hexString(digest.finish())
        if digests.count >= Self.capacity { digests.removeAll(keepingCapacity: true) }
        digests[key] = hex
        return hex
    }
}
