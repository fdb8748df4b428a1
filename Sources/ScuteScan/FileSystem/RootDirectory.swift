#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An open root folder; every read of the scan goes through it, relative to its descriptor, never following
/// a symbolic link out of it.
package final class RootDirectory: Sendable {
    /// The root as given (used in messages and in the report).
    package let path: String
    let descriptor: Int32
    /// The root's file system: the walk never crosses into another one.
    let device: UInt64

    /// Opens `path` as the root of a scan.
    package init(path: String) throws(ScanError) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .root("cannot open the root \(path): \(errnoMessage())") }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw .root("cannot stat the root \(path): \(errnoMessage())")
        }
        self.path = path
        self.descriptor = fd
        self.device = UInt64(info.st_dev)
    }

    deinit { close(descriptor) }

    /// Metadata of `relativePath` (no leading slash) without following a final symbolic link.
    func linkStatus(_ relativePath: String) -> stat? {
        var info = stat()
        let target = relativePath.isEmpty ? "." : relativePath
        return fstatat(descriptor, target, &info, AT_SYMLINK_NOFOLLOW) == 0 ? info : nil
    }

    /// Opens a regular file for reading; never blocks on a FIFO or a device and never follows a final link.
    func openRegularFile(_ relativePath: String) -> Result<OpenedFile, FileProblem> {
        let fd = openat(descriptor, relativePath, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            let code = errno
            if code == ELOOP { return .failure(.notRegular) }
            if code == ENOENT || code == ENOTDIR { return .failure(.missing) }
            return .failure(.unreadable(errnoMessage(code)))
        }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            let message = errnoMessage()
            close(fd)
            return .failure(.unreadable(message))
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            return .failure(.notRegular)
        }
        return .success(OpenedFile(descriptor: fd, size: Int(info.st_size), mode: UInt32(info.st_mode)))
    }

    /// The whole content of a small regular file, or nil when it is missing, not regular or over `limit`.
    func readSmallFile(_ relativePath: String, limit: Int = 64 << 20) -> [UInt8]? {
        guard case .success(let file) = openRegularFile(relativePath) else { return nil }
        defer { file.close() }
        guard file.size <= limit else { return nil }
        return file.readAll(limit: limit)
    }

    /// Names in a folder of the root (not `.` and `..`), or nil when it is not a readable folder.
    func listFolder(_ relativePath: String) -> [String]? {
        let fd = openat(descriptor, relativePath.isEmpty ? "." : relativePath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, let dir = fdopendir(fd) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// The target of a symbolic link.
    func readLink(_ relativePath: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBufferPointer { pointer in
            pointer.withMemoryRebound(to: CChar.self) { readlinkat(descriptor, relativePath, $0.baseAddress!, 4096) }
        }
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    /// Resolves symbolic links in `path` as if the root were `/` (absolute targets and `..` stay inside it),
    /// giving up after `hopLimit` links. The result has no leading slash.
    func resolve(_ path: String, hopLimit: Int = 40) -> PathResolution {
        var pending = components(of: path)
        pending.reverse()
        var resolved: [Substring] = []
        var hops = 0
        while let component = pending.popLast() {
            if component == "." || component.isEmpty { continue }
            if component == ".." {
                _ = resolved.popLast()
                continue
            }
            let candidate = (resolved + [component]).joined(separator: "/")
            guard let info = linkStatus(candidate) else {
                return .missing((resolved + [component] + pending.reversed()).joined(separator: "/"))
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                hops += 1
                guard hops <= hopLimit, let target = readLink(candidate) else { return .loop(candidate) }
                if target.hasPrefix("/") { resolved.removeAll() }
                pending.append(contentsOf: components(of: target).reversed())
            } else {
                resolved.append(component)
            }
        }
        return .resolved(resolved.joined(separator: "/"))
    }

    private func components(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}

/// Where a path inside the root leads once its links are followed.
enum PathResolution: Equatable {
    /// The path exists; this is its link-free form.
    case resolved(String)
    /// Some component does not exist; the path with the links resolved so far.
    case missing(String)
    /// Too many links (a loop, or a chain longer than the hop limit) at this path.
    case loop(String)
}

/// Why a single file could not be read; reported, never fatal.
enum FileProblem: Error, Equatable {
    case missing
    case notRegular
    case unreadable(String)
    case tooLarge(Int)
}

/// An open regular file.
struct OpenedFile {
    let descriptor: Int32
    let size: Int
    let mode: UInt32

    func close() { closeDescriptor(descriptor) }

    /// Reads up to `limit` bytes from the start, until the end of the file (sizes of `/proc` files are 0).
    func readAll(limit: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: min(max(size, 4096), limit))
        var total = 0
        while total < limit {
            if total == bytes.count { bytes += [UInt8](repeating: 0, count: min(bytes.count, limit - total)) }
            let count = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + total, raw.count - total, off_t(total))
            }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { return nil }
            if count == 0 { break }
            total += count
        }
        bytes.removeSubrange(total...)
        return bytes
    }

    /// Reads up to `count` bytes at `offset`.
    func read(at offset: Int, count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(0, count))
        let got = bytes.withUnsafeMutableBytes { raw in pread(descriptor, raw.baseAddress!, count, off_t(offset)) }
        return got > 0 ? Array(bytes[0..<got]) : []
    }
}

func closeDescriptor(_ descriptor: Int32) {
    _ = close(descriptor)
}

/// The text of the current errno.
func errnoMessage(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
