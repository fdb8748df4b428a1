import CScuteSys
import Glibc

/// A duplicate of one of the app's sockets (pidfd_getfd), through which the tracer performs a network
/// call on its own copy of the arguments.
///
/// Why: a sockaddr in the app's memory can be rewritten between the check at the seccomp stop and the
/// kernel's copy of it, by a thread, a CLONE_VM or vfork sibling, a process sharing the page (MAP_SHARED,
/// memfd, shm) or one writing /proc/PID/mem. No bookkeeping of who shares what covers every route; a call
/// the kernel runs on the tracer's copy cannot be raced. The app's own call is skipped and returns what
/// the tracer's returned.
struct TraceeSocket {
    /// Why a socket could not be had.
    enum OpenFailure: Error {
        /// The app's descriptor is not open: the kernel would answer EBADF.
        case badDescriptor
        /// Not a socket (the kernel answers ENOTSOCK), or not an internet socket: nothing to enforce.
        case notInternet
        /// The check cannot run (no descriptor left, process gone, access refused).
        case unavailable(SystemError)
    }

    let fd: Int32
    let domain: Int32
    let type: Int32
    /// The open file's status flags (O_NONBLOCK is the app's choice: blocking calls wait for the socket),
    /// read when a call needs them (a datagram connect or a send that does not block never does): one
    /// system call less on the trapped path.
    var flags: Int32 { fcntl(fd, F_GETFL) }
    var blocking: Bool { Self.blocking(flags) }
    static func blocking(_ flags: Int32) -> Bool { flags >= 0 && flags & O_NONBLOCK == 0 }

    /// Whether pidfd_open(PIDFD_THREAD) works on this kernel (6.9+); else the thread group's pidfd is used.
    nonisolated(unsafe) private static var threadPidfds = true

    /// A pidfd for task `tid` (of the task itself where the kernel can, else of its thread group).
    static func pidfd(for tid: Int32) -> Int32 {
        var pidfd: Int32 = -1
        if threadPidfds {
            pidfd = scute_pidfd_open_thread(tid)
            if pidfd < 0 && scute_errno() == EINVAL { threadPidfds = false }
        }
        if pidfd < 0 && !threadPidfds {
            pidfd = scute_pidfd_open(Supervisor.threadGroup(of: tid))
        }
        return pidfd
    }

    /// Duplicates descriptor `fd` of the task `pidfd` refers to.
    static func open(pidfd: Int32, fd: Int32) -> Result<TraceeSocket, OpenFailure> {
        guard pidfd >= 0 else { return .failure(.unavailable(.last("pidfd_open"))) }
        let dup = scute_pidfd_getfd(pidfd, fd)
        guard dup >= 0 else {
            let err = scute_errno()
            return .failure(err == EBADF ? .badDescriptor : .unavailable(SystemError("pidfd_getfd", errno: err)))
        }
        var domain: Int32 = 0
        var type: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0, domain == AF_INET || domain == AF_INET6 else {
            Glibc.close(dup)
            return .failure(.notInternet)
        }
        len = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(dup, SOL_SOCKET, SO_TYPE, &type, &len)
        return .success(TraceeSocket(fd: dup, domain: domain, type: type))
    }

    func close() { _ = Glibc.close(fd) }

    /// What a call performed for the app came to.
    enum Outcome {
        /// The app's call returns this (a result, or -errno).
        case done(Int64)
        /// The socket is blocking and the call must wait for it: hold the app until it is ready.
        case wait
    }

    /// connect(2) to `address`. A blocking socket is connected without blocking the tracer; the app
    /// waits at its seccomp stop until the connection completes (see HeldCalls).
    func connect(_ address: [UInt8]) -> Outcome {
        // A datagram connect only sets the peer; a stream connect on a blocking socket is started without
        // blocking the tracer, and finished by the held call (or at once, when loopback already answered).
        let flags = type == Int32(SOCK_DGRAM.rawValue) ? -1 : self.flags
        let waits = Self.blocking(flags)
        if waits { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
        let rc = address.withUnsafeBytes { b in Glibc.connect(fd, b.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(b.count)) }
        let err = scute_errno()
        if waits { _ = fcntl(fd, F_SETFL, flags) }
        if rc == 0 { return .done(0) }
        guard waits && err == EINPROGRESS else { return .done(-Int64(err)) }
        var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&ready, 1, 0) == 1 ? .done(connectResult()) : .wait
    }

    /// The result of a connect that was in progress, once the socket is writable or failed.
    func connectResult() -> Int64 {
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 else { return -Int64(scute_errno()) }
        return err == 0 ? 0 : -Int64(err)
    }

    /// sendmsg(2) of a message built from copies. Never blocks the tracer: a blocking socket that would
    /// block makes the app wait. Returns `.done` with the byte count or -errno.
    func send(_ message: CopiedMessage, flags: Int32) -> Outcome {
        let n = message.withHeader { header in sendmsg(fd, header, flags | Int32(MSG_DONTWAIT) | Int32(MSG_NOSIGNAL)) }
        if n >= 0 { return .done(Int64(n)) }
        let err = scute_errno()
        if flags & Int32(MSG_DONTWAIT) == 0 && (err == EAGAIN || err == EWOULDBLOCK) && blocking { return .wait }
        return .done(-Int64(err))
    }

    /// The send timeout of the socket (SO_SNDTIMEO), in nanoseconds; nil when there is none.
    var sendTimeout: Int64? {
        var tv = timeval()
        var len = socklen_t(MemoryLayout<timeval>.size)
        guard getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, &len) == 0, tv.tv_sec > 0 || tv.tv_usec > 0 else { return nil }
        return Int64(tv.tv_sec) * 1_000_000_000 + Int64(tv.tv_usec) * 1000
    }
}

/// A message (destination, data, ancillary data) copied out of the app's memory.
struct CopiedMessage {
    var name: [UInt8]?
    var chunks: [[UInt8]]
    var control: [UInt8]
    /// Where the app keeps the destination (for the DNS redirect's compatibility rewrite).
    var namePointer: UInt64? = nil

    /// Calls `body` with a msghdr pointing at the copies.
    func withHeader<R>(_ body: (UnsafePointer<msghdr>) -> R) -> R {
        let bases = chunks.map { c -> UnsafeMutableRawPointer in
            let p = UnsafeMutableRawPointer.allocate(byteCount: max(c.count, 1), alignment: 8)
            c.withUnsafeBytes { if let b = $0.baseAddress { p.copyMemory(from: b, byteCount: c.count) } }
            return p
        }
        defer { for p in bases { p.deallocate() } }
        var iov = zip(bases, chunks).map { iovec(iov_base: $0.0, iov_len: $0.1.count) }
        var name = self.name ?? []
        var control = self.control
        return iov.withUnsafeMutableBufferPointer { iovs in
            name.withUnsafeMutableBytes { n in
                control.withUnsafeMutableBytes { c in
                    var header = msghdr()
                    header.msg_name = self.name == nil ? nil : n.baseAddress
                    header.msg_namelen = socklen_t(n.count)
                    header.msg_iov = iovs.baseAddress
                    header.msg_iovlen = iovs.count
                    header.msg_control = c.count == 0 ? nil : c.baseAddress
                    header.msg_controllen = c.count
                    return withUnsafePointer(to: &header) { body($0) }
                }
            }
        }
    }
}
