import CScuteSys
import Glibc
import ScuteCore

/// What becomes of a trapped call.
enum CallOutcome {
    /// The kernel runs the call as the app made it.
    case proceed
    /// The call is skipped; the app sees this value (a result or -errno).
    case complete(Int64)
    /// The tracer performed the call on a blocking socket that is not ready: the task waits.
    case hold(HeldCall)
}

/// A judged destination: refused (errno, audited), or allowed with the exact bytes to connect to (a
/// copy, rewritten to the DNS forwarder for port 53).
enum Destination {
    case refuse(Int32)
    case allow([UInt8])
}

/// Network calls: connect, send* with a destination, bind and listen. While the policy enforces network
/// or DNS rules, each call on an internet socket is performed by the tracer on a copy of its arguments
/// (TraceeSocket), and a check that cannot run refuses the call.
extension Supervisor {
    func handleSeccomp(_ tid: Int32) -> CallOutcome {
        var info = scute_syscall()
        guard scute_ptrace_get_syscall(tid, &info) == 0 else {
            // Gone (ESRCH): resuming fails harmlessly. Anything else: the call cannot be judged.
            return scute_errno() == ESRCH ? .proceed : .complete(-Int64(EPERM))
        }
        guard let t = SyscallTable.forArch(info.arch) else { return .complete(-Int64(ENOSYS)) }
        let args = withUnsafeBytes(of: info.args) { Array($0.bindMemory(to: UInt64.self)) }
        let fd = Int32(truncatingIfNeeded: args[0])
        switch info.nr {
        case t.execve, t.execveat:
            let pointerSize = info.arch == SCUTE_AUDIT_ARCH_I386 ? 4 : 8
            if let refuse = earlyExec(tid, info, t, args, pointerSize: pointerSize) { return .complete(-Int64(refuse)) }
            return .proceed
        case _ where info.arch != table.auditArch:
            // The filter refuses foreign-arch networking; only execs of 32-bit images get here.
            return .proceed
        case t.connect:
            return connectCall(tid, fd: fd, address: args[1], length: args[2])
        case t.sendto:
            return sendCall(tid, fd: fd, flags: Int32(truncatingIfNeeded: args[3])) { mem in
                guard let name = self.readArgument(tid, args[4], count: Int(min(args[5], 128))) else { return nil }
                let data = args[2] == 0 ? [] : mem.read(args[1], count: Int(min(args[2], Self.payloadLimit)))
                return data.map { CopiedMessage(name: name, chunks: [$0], control: [], namePointer: args[4]) }
            }
        case t.sendmsg:
            return sendCall(tid, fd: fd, flags: Int32(truncatingIfNeeded: args[2])) { _ in self.copyMessage(tid, header: args[1]) }
        case t.sendmmsg:
            return sendManyCall(tid, fd: fd, vector: args[1], count: args[2], flags: Int32(truncatingIfNeeded: args[3]))
        case t.bind:
            return bindCall(tid, fd: fd, address: args[1], length: args[2])
        case t.listen:
            return listenCall(tid, fd: fd)
        default:
            return .proceed
        }
    }

    /// Whether calls must be performed on copies: something in force depends on their destination.
    var enforcesNetwork: Bool {
        let s = policy.snapshot
        return s.judgesNetwork || s.judgesDNS
    }

    /// Refuses a call whose check could not run, and says so.
    func refuseUnchecked(_ tid: Int32, call: String, errno err: Int32, why: String) -> CallOutcome {
        audit.record(
            networkEvent(
                tid,
                type: .network,
                verdict: Verdict(action: .prevent, rule: policy.rule?.name, attackType: .checkFailed, message: ""),
                time: Sys.now(),
                port: nil,
                msg: "\(call) refused: \(why)"
            )
        )
        return .complete(-Int64(err))
    }

    /// The app's socket, or the outcome when there is none to act on.
    func traceeSocket(_ tid: Int32, fd: Int32, call: String) -> Result<TraceeSocket, CallOutcomeBox> {
        switch TraceeSocket.open(pidfd: pidfd(for: tid), fd: fd) {
        case .success(let s): return .success(s)
        case .failure(.badDescriptor): return .failure(CallOutcomeBox(.complete(-Int64(EBADF))))
        case .failure(.notInternet): return .failure(CallOutcomeBox(.proceed))
        case .failure(.unavailable(let e)):
            return .failure(CallOutcomeBox(refuseUnchecked(tid, call: call, errno: EAGAIN, why: "the socket could not be inspected (\(e))")))
        }
    }

    // MARK: - connect

    func connectCall(_ tid: Int32, fd: Int32, address: UInt64, length: UInt64) -> CallOutcome {
        guard enforcesNetwork else {
            observeDestination(tid, address: address, length: length, call: "connect")
            return .proceed
        }
        let socket: TraceeSocket
        switch traceeSocket(tid, fd: fd, call: "connect") {
        case .success(let s): socket = s
        case .failure(let box): return box.outcome
        }
        guard length >= 2, let copy = readArgument(tid, address, count: Int(min(length, 128))) else {
            socket.close()
            return .complete(-Int64(address == 0 || length < 2 ? EINVAL : EFAULT))
        }
        var target = copy
        if let sa = SocketAddress(bytes: copy) {
            switch judge(tid, sa, call: "connect", address: address) {
            case .refuse(let e):
                socket.close()
                return .complete(-Int64(e))
            case .allow(let bytes): target = bytes
            }
        }
        switch socket.connect(target) {
        case .done(let v):
            socket.close()
            return .complete(v)
        case .wait:
            return holding(tid, socket, call: "connect", timeoutResult: -Int64(EINPROGRESS)) { socket.connectResult() }
        }
    }

    // MARK: - send

    /// Bytes of data a send performed for the app carries at most (a datagram is at most 64 KiB; a
    /// stream send may be partial).
    static let payloadLimit: UInt64 = 1 << 20

    /// sendto/sendmsg: the message is copied out of the app's memory (nil: unreadable, EFAULT), its
    /// destination judged, and sent on the tracer's duplicate of the socket.
    func sendCall(_ tid: Int32, fd: Int32, flags: Int32, copy: (TraceeMemory) -> CopiedMessage?) -> CallOutcome {
        let mem = TraceeMemory(pid: tid)
        guard enforcesNetwork else {
            if let m = copy(mem), let name = m.name, let sa = SocketAddress(bytes: name) { observe(tid, sa, call: "send") }
            return .proceed
        }
        let socket: TraceeSocket
        switch traceeSocket(tid, fd: fd, call: "send") {
        case .success(let s): socket = s
        case .failure(let box): return box.outcome
        }
        // A stream socket's peer is the one its (checked) connect gave it: the kernel reads a destination
        // from a send only for TCP Fast Open (MSG_FASTOPEN, a register the app cannot change under us).
        if socket.type == Int32(SOCK_STREAM.rawValue) && flags & Int32(MSG_FASTOPEN) == 0 {
            socket.close()
            return .proceed
        }
        guard var message = copy(mem) else {
            socket.close()
            return .complete(-Int64(EFAULT))
        }
        if let name = message.name, let sa = SocketAddress(bytes: name) {
            switch judge(tid, sa, call: "send", address: message.namePointer) {
            case .refuse(let e):
                socket.close()
                return .complete(-Int64(e))
            case .allow(let bytes): message.name = bytes
            }
        }
        return performSend(tid, socket: socket, message: message, flags: flags)
    }

    func performSend(_ tid: Int32, socket: TraceeSocket, message: CopiedMessage, flags: Int32) -> CallOutcome {
        // Ancillary data can ask for privileged things (SO_MARK, a priority above 6): the app's own
        // capabilities decide, not the tracer's.
        let first = message.control.isEmpty ? socket.send(message, flags: flags) : sendWithAppCapabilities { socket.send(message, flags: flags) }
        switch first {
        case .done(let v):
            socket.close()
            raiseSIGPIPE(tid, result: v, flags: flags)
            return .complete(v)
        case .wait:
            return holding(tid, socket, call: "send", timeoutResult: -Int64(EAGAIN)) {
                let retry =
                    message.control.isEmpty
                    ? socket.send(message, flags: flags) : self.sendWithAppCapabilities { socket.send(message, flags: flags) }
                guard case .done(let v) = retry else { return nil }
                self.raiseSIGPIPE(tid, result: v, flags: flags)
                return v
            }
        }
    }

    /// Holds a call performed on a blocking socket until the socket is writable (SO_SNDTIMEO as its
    /// deadline), within the bound of held calls; past the bound the call is refused and audited.
    func holding(_ tid: Int32, _ socket: TraceeSocket, call: String, timeoutResult: Int64, attempt: @escaping () -> Int64?) -> CallOutcome {
        guard !held.isFull else {
            socket.close()
            return refuseUnchecked(tid, call: call, errno: EAGAIN, why: "too many calls waiting for their sockets")
        }
        let deadline = socket.sendTimeout.map { Sys.monotonic() + $0 } ?? Int64.max
        return .hold(HeldCall(tid: tid, socket: socket, events: Int16(POLLOUT), deadline: deadline, timeoutResult: timeoutResult, attempt: attempt))
    }

    /// The tracer sends with MSG_NOSIGNAL; an app that did not ask for it gets its SIGPIPE as the kernel
    /// would have sent it.
    func raiseSIGPIPE(_ tid: Int32, result: Int64, flags: Int32) {
        guard result == -Int64(EPIPE), flags & Int32(MSG_NOSIGNAL) == 0 else { return }
        _ = kill(Self.threadGroup(of: tid), SIGPIPE)
    }

    /// sendmmsg: each message is sent as sendmsg would be, its msg_len written back; the call returns
    /// how many went, or the first one's error.
    func sendManyCall(_ tid: Int32, fd: Int32, vector: UInt64, count: UInt64, flags: Int32) -> CallOutcome {
        let n = min(Int(truncatingIfNeeded: count & 0xffff_ffff), 1024)
        let mem = TraceeMemory(pid: tid)
        guard enforcesNetwork else {
            for i in 0..<n {
                if let m = copyMessage(tid, header: vector + UInt64(i * 64)), let name = m.name, let sa = SocketAddress(bytes: name) {
                    observe(tid, sa, call: "sendmmsg")
                }
            }
            return .proceed
        }
        var sent: Int64 = 0
        for i in 0..<n {
            let entry = vector + UInt64(i * 64)
            let outcome = sendCall(tid, fd: fd, flags: flags | Int32(MSG_DONTWAIT)) { _ in self.copyMessage(tid, header: entry) }
            var value: Int64
            switch outcome {
            case .complete(let v): value = v
            case .proceed: return i == 0 ? .proceed : .complete(sent)  // not an internet socket
            case .hold(let call):
                call.socket.close()
                value = -Int64(EAGAIN)
            }
            if value < 0 { return .complete(sent > 0 ? sent : value) }
            let len = UInt32(truncatingIfNeeded: value)
            mem.write(entry + 56, withUnsafeBytes(of: len.littleEndian) { Array($0) })
            sent += 1
        }
        return .complete(sent)
    }

    /// A msghdr (64-bit layout) and what it points to, copied; nil when any of it is unreadable.
    func copyMessage(_ tid: Int32, header: UInt64) -> CopiedMessage? {
        guard let h = readArgument(tid, header, count: 56) else { return nil }
        func word(_ at: Int) -> UInt64 { (0..<8).reduce(UInt64(0)) { $0 | UInt64(h[at + $1]) << (8 * UInt64($1)) } }
        let mem = TraceeMemory(pid: tid)
        let namePointer = word(0)
        let nameLength = word(8) & 0xffff_ffff
        var message = CopiedMessage(name: nil, chunks: [], control: [])
        if namePointer != 0 && nameLength > 0 {
            guard let name = mem.read(namePointer, count: Int(min(nameLength, 128))) else { return nil }
            message.name = name
            message.namePointer = namePointer
        }
        let iovCount = min(word(24), 1024)
        var total: UInt64 = 0
        if iovCount > 0 {
            guard let iovs = mem.read(word(16), count: Int(iovCount) * 16) else { return nil }
            for i in 0..<Int(iovCount) {
                let base = (0..<8).reduce(UInt64(0)) { $0 | UInt64(iovs[i * 16 + $1]) << (8 * UInt64($1)) }
                let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(iovs[i * 16 + 8 + $1]) << (8 * UInt64($1)) }
                let take = min(length, Self.payloadLimit - total)
                if take == 0 { continue }
                guard let chunk = mem.read(base, count: Int(take)) else { return nil }
                message.chunks.append(chunk)
                total += take
            }
        }
        let controlLength = min(word(40), 1 << 16)
        if word(32) != 0 && controlLength > 0 {
            guard let control = mem.read(word(32), count: Int(controlLength)) else { return nil }
            message.control = control
        }
        return message
    }

    // MARK: - bind and listen

    func bindCall(_ tid: Int32, fd: Int32, address: UInt64, length: UInt64) -> CallOutcome {
        guard policy.snapshot.judgesNetwork else { return .proceed }
        let socket: TraceeSocket
        switch traceeSocket(tid, fd: fd, call: "bind") {
        case .success(let s): socket = s
        case .failure(let box): return box.outcome
        }
        defer { socket.close() }
        guard length >= 2, let copy = readArgument(tid, address, count: Int(min(length, 128))) else {
            return .complete(-Int64(address == 0 || length < 2 ? EINVAL : EFAULT))
        }
        if let sa = SocketAddress(bytes: copy), sa.port != 0, let refuse = listening(tid, port: Int(sa.port)) {
            return .complete(-Int64(refuse))
        }
        let rc = withAppCapabilities {
            copy.withUnsafeBytes { b in bind(socket.fd, b.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(b.count)) }
        }
        return .complete(rc == 0 ? 0 : -Int64(rc))
    }

    /// The port a socket is bound to, read through a duplicate of the app's descriptor (the kernel's
    /// own state, which no other task can swap).
    func listenCall(_ tid: Int32, fd: Int32) -> CallOutcome {
        guard policy.snapshot.judgesNetwork else { return .proceed }
        let socket: TraceeSocket
        switch traceeSocket(tid, fd: fd, call: "listen") {
        case .success(let s): socket = s
        case .failure(let box): return box.outcome
        }
        defer { socket.close() }
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket.fd, $0, &len) }
        }
        guard rc == 0 else { return refuseUnchecked(tid, call: "listen", errno: EAGAIN, why: "the socket's address could not be read") }
        let bytes = withUnsafeBytes(of: storage) { Array($0.prefix(Int(len))) }
        guard let sa = SocketAddress(bytes: bytes) else { return .proceed }
        if let refuse = listening(tid, port: Int(sa.port)) { return .complete(-Int64(refuse)) }
        return .proceed
    }

    func listening(_ tid: Int32, port: Int) -> Int32? {
        let current = policy.snapshot
        guard current.judgesNetwork else { return nil }
        let verdict = current.rule?.evaluateListening(port: port) ?? .allow
        guard verdict.action != .allow else { return nil }
        audit.record(networkEvent(tid, type: .listening, verdict: verdict, time: Sys.now(), port: port, msg: verdict.message))
        return verdict.prevents ? EACCES : nil
    }
}

extension Supervisor {
    /// Runs `body` with the tracer thread's effective capabilities cut to the app's; returns what it
    /// returned, or -errno when the capabilities could not be set (the call is then not made).
    func withAppCapabilities(_ body: () -> Int32) -> Int32 {
        var previous: UInt64 = 0
        guard scute_thread_set_effective_capabilities(appCapabilities, &previous) == 0 else { return scute_errno() }
        defer { _ = scute_thread_set_effective_capabilities(previous, &previous) }
        let rc = body()
        return rc == 0 ? 0 : scute_errno()
    }

    func sendWithAppCapabilities(_ body: () -> TraceeSocket.Outcome) -> TraceeSocket.Outcome {
        var previous: UInt64 = 0
        guard scute_thread_set_effective_capabilities(appCapabilities, &previous) == 0 else { return .done(-Int64(scute_errno())) }
        defer { _ = scute_thread_set_effective_capabilities(previous, &previous) }
        return body()
    }

    /// Task `tid`'s pidfd: kept with the task while the kept-descriptor budget allows (a task that makes
    /// network calls makes many), else opened for this call and closed at the task's next call.
    func pidfd(for tid: Int32) -> Int32 {
        if let kept = tracees[tid]?.pidFD, kept >= 0 { return kept }
        let fd = TraceeSocket.pidfd(for: tid)
        guard fd >= 0 else { return fd }
        if keptMemoryFiles < Self.maxKeptMemoryFiles && tracees[tid] != nil {
            tracees[tid]?.pidFD = fd
            keptMemoryFiles += 1
        } else {
            transientPidfd.map { _ = close($0) }
            transientPidfd = fd
        }
        return fd
    }
}

/// A CallOutcome carried through a Result's failure side.
struct CallOutcomeBox: Error {
    let outcome: CallOutcome
    init(_ outcome: CallOutcome) { self.outcome = outcome }
}
