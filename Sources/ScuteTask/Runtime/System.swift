import CScuteTask

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// File and descriptor helpers over the C library; errno becomes a `TaskError` here and nowhere else.
enum System {
    /// Throws `TaskError.system` naming `what` when `result` is negative.
    @discardableResult
    static func check(_ result: Int32, _ what: @autoclosure () -> String) throws(TaskError) -> Int32 {
        if result < 0 { throw .system(what(), errno: errno) }
        return result
    }

    /// A close-on-exec pipe: (read end, write end).
    static func pipe(nonBlockingRead: Bool = true) throws(TaskError) -> (read: Int32, write: Int32) {
        var fds: [Int32] = [-1, -1]
        try check(scute_task_pipe(&fds), "pipe")
        if nonBlockingRead { _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK) }
        return (fds[0], fds[1])
    }

    /// A whole file as text, or nil when it cannot be read.
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    static func isFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    static func writeFile(_ path: String, _ text: String, mode: mode_t = 0o644) throws(TaskError) {
        let fd = try check(open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode), path)
        defer { close(fd) }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { throw .system(path, errno: errno) }
            offset += n
        }
    }

    /// mkdir -p.
    static func makeDirectories(_ path: String, mode: mode_t = 0o755) throws(TaskError) {
        var current = ""
        for component in path.split(separator: "/") {
            current += "/" + component
            if mkdir(current, mode) != 0 && errno != EEXIST { throw .system(current, errno: errno) }
        }
    }

    /// rm -rf that never follows a symbolic link and never descends into another file system (a mount).
    static func removeTree(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            removeContents(AT_FDCWD, path, device: status.st_dev)
            rmdir(path)
        } else {
            unlink(path)
        }
    }

    private static func removeContents(_ parent: Int32, _ name: String, device: dev_t) {
        let fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0, let directory = fdopendir(fd) else { return }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let child = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if child != "." && child != ".." { names.append(child) }
        }
        for child in names {
            var status = stat()
            guard fstatat(fd, child, &status, AT_SYMLINK_NOFOLLOW) == 0 else { continue }
            if (status.st_mode & S_IFMT) == S_IFDIR {
                guard status.st_dev == device else { continue }
                removeContents(fd, child, device: device)
                unlinkat(fd, child, AT_REMOVEDIR)
            } else {
                unlinkat(fd, child, 0)
            }
        }
    }

    /// Now, as RFC 3339 in UTC with nanoseconds (how the metadata endpoint writes times).
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        let date = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
        let time = "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
        return "\(date)T\(time).\(pad(Int(now.tv_nsec), 9))Z"
    }
}

/// A NULL-terminated array of C strings that lives as long as this object.
final class CStringArray {
    let pointer: UnsafeMutablePointer<UnsafePointer<CChar>?>
    private let count: Int

    init(_ strings: [String]) {
        count = strings.count
        pointer = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { pointer[index] = UnsafePointer(strdup(string)) }
        pointer[strings.count] = nil
    }

    deinit {
        for index in 0..<count { free(UnsafeMutablePointer(mutating: pointer[index])) }
        pointer.deallocate()
    }
}

/// C strings that live as long as this object.
final class CStringPool {
    private var strings: [UnsafeMutablePointer<CChar>] = []

    func make(_ string: String) -> UnsafePointer<CChar> {
        let copy = strdup(string)!
        strings.append(copy)
        return UnsafePointer(copy)
    }

    deinit {
        for string in strings { free(string) }
    }
}
