import CScuteSys
import Glibc

/// A failed system call: which one, and errno.
package struct SystemError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case call(String, Int32)
    }

    private let kind: Kind

    package init(_ call: String, errno: Int32) { self.kind = .call(call, errno) }

    /// The failing call with the calling thread's current errno.
    package static func last(_ call: String) -> SystemError { SystemError(call, errno: scute_errno()) }

    package var errno: Int32 {
        switch kind {
        case .call(_, let e): return e
        }
    }

    package var description: String {
        switch kind {
        case .call(let name, let e): return "\(name): \(String(cString: strerror(e)))"
        }
    }
}

/// Small file-system helpers over plain syscalls (the defender links no Foundation).
package enum Sys {
    /// The whole contents of a file (up to `limit` bytes), or nil. With `shortReadIsEnd`, a read that
    /// returns less than asked ends it (true of /proc's cmdline and auxv, and saves a syscall per exec).
    package static func readFile(_ path: String, limit: Int = 1 << 20, chunk: Int = 4096, shortReadIsEnd: Bool = false) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: chunk)
        while out.count < limit {
            let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && scute_errno() == EINTR { continue }
            if n <= 0 { break }
            out.append(contentsOf: buf[0..<n])
            if shortReadIsEnd && n < chunk { break }
        }
        return out
    }

    /// The target of a symbolic link, or nil.
    package static func readLink(_ path: String) -> String? {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink(path, &buf, 4096)
        guard n >= 0 else { return nil }
        return String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The canonical absolute path, or nil when it does not exist.
    package static func realPath(_ path: String) -> String? {
        guard let p = realpath(path, nil) else { return nil }
        defer { free(p) }
        return String(cString: p)
    }

    /// Writes all of `bytes` to `fd`.
    package static func writeAll(_ fd: Int32, _ bytes: [UInt8]) {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && scute_errno() == EINTR { continue }
            if n <= 0 { return }
            off += n
        }
    }

    /// Nanoseconds since the epoch.
    package static func now() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Monotonic nanoseconds.
    package static func monotonic() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// A message on standard error.
    package static func warn(_ message: String) {
        writeAll(2, Array(message.utf8) + [10])
    }

    /// Raises the soft descriptor limit to the hard one (the tracer's checks need descriptors of their own).
    package static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    /// The directory part of a path ("/" for top-level names).
    package static func dirName(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let d = String(path[..<slash])
        return d.isEmpty ? "/" : d
    }
}

/// Runs a closure on a new POSIX thread (the tracer must be one fixed thread; Dispatch and Swift
/// concurrency do not promise that).
package final class PosixThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void

    package init(_ body: @escaping @Sendable () -> Void) {
        self.body = body
    }

    /// Starts the thread; a failure to create one is fatal (use `tryStart` where it is not).
    package func start() {
        precondition(tryStart(), "pthread_create failed")
    }

    /// Starts the thread; false when the system has no thread to give (the caller degrades or refuses).
    package func tryStart() -> Bool {
        let unmanaged = Unmanaged.passRetained(self)
        let rc = pthread_create(
            &thread,
            nil,
            { arg in
                let me = Unmanaged<PosixThread>.fromOpaque(arg!).takeRetainedValue()
                me.body()
                return nil
            },
            unmanaged.toOpaque()
        )
        if rc != 0 { unmanaged.release() }
        return rc == 0
    }

    /// Waits for the thread to finish.
    package func join() { pthread_join(thread, nil) }
}
