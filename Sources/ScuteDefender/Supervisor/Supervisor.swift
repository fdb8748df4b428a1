import CScuteSys
import Glibc
import ScuteCore
import Synchronization

/// What to do when the app cannot be traced (no SYS_PTRACE, seccomp refused).
package enum TraceFailureMode: String, Sendable {
    /// Run the app unprotected and record a critical audit.
    case open
    /// Refuse to start the app.
    case closed
}

/// Where port-53 traffic is redirected: the DNS forwarder.
package protocol DNSRedirector: AnyObject, Sendable {
    /// The loopback port of a forwarder for this upstream server, or nil to leave the traffic alone.
    func localPort(forUpstream upstream: SocketAddress) -> UInt16?
}

/// Settings of one supervised run.
package struct SupervisorConfiguration: Sendable {
    package var command: [String]
    package var environment: [String]
    /// The policy rule that applies to this app (nil: nothing to enforce, everything still traced).
    package var rule: Rule?
    package var onTraceFailure: TraceFailureMode

    package init(command: [String], environment: [String], rule: Rule?, onTraceFailure: TraceFailureMode = .open) {
        self.command = command
        self.environment = environment
        self.rule = rule
        self.onTraceFailure = onTraceFailure
    }
}

/// The ptrace + seccomp supervisor of the app's whole process tree. `run()` must be called on the one
/// thread that will own every ptrace request (ptrace only works from the thread that attached).
package final class Supervisor: @unchecked Sendable {
    private struct Tracee {
        var started = false
        /// Another task shares this one's memory (a thread, or a clone with CLONE_VM): a sockaddr it
        /// passes can be rewritten by that task between the check and the kernel's copy.
        var sharesMemory = false
        /// A connect let through at the seccomp stop, to confirm at the syscall's exit.
        var verify: PendingConnect?
        /// The absolute name of the last execve this task asked for (what AT_EXECFN will say), read at
        /// the seccomp stop so the exec event need not open /proc/PID/auxv.
        var execName: String?
    }

    private struct PendingConnect {
        var fd: Int32
        var checked: SocketAddress
    }

    private let config: SupervisorConfiguration
    private let audit: AuditSink
    private let learned: LearnedNames
    private let dns: (any DNSRedirector)?
    private let users = UserNames()
    private let table = SyscallTable.native
    /// The app's pid, for the signal-forwarding thread.
    package let appPid = Atomic<Int32>(0)
    private var tracees: [Int32: Tracee] = [:]
    private var aliasCache: [String: String] = [:]
    /// The rule in force, which the console may replace while the app runs.
    package let policy: LivePolicy

    package init(
        configuration: SupervisorConfiguration,
        audit: AuditSink,
        learned: LearnedNames,
        dns: (any DNSRedirector)?,
        policy: LivePolicy? = nil
    ) {
        self.config = configuration
        self.audit = audit
        self.learned = learned
        self.dns = dns
        self.policy = policy ?? LivePolicy(rule: configuration.rule, identity: audit.identity)
    }

    static let traceOptions: UInt =
        UInt(SCUTE_PTRACE_O_TRACESECCOMP) | UInt(SCUTE_PTRACE_O_TRACEFORK) | UInt(SCUTE_PTRACE_O_TRACEVFORK) | UInt(SCUTE_PTRACE_O_TRACECLONE)
        | UInt(SCUTE_PTRACE_O_TRACEEXEC) | UInt(SCUTE_PTRACE_O_EXITKILL) | UInt(SCUTE_PTRACE_O_TRACESYSGOOD)

    /// Starts the app under tracing and supervises it until it exits; returns the exit code to use
    /// (the app's own, 128+signal when it was killed).
    package func run() -> Int32 {
        let filter = SeccompFilter.program().map { sock_filter(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
        var releaseFD: Int32 = -1
        var errorFD: Int32 = -1
        let pid = spawn(filter: filter, wait: true, releaseFD: &releaseFD, errorFD: &errorFD)
        guard pid > 0 else {
            Sys.warn("scute: cannot start \(config.command.first ?? ""): \(SystemError.last("fork"))")
            return 126
        }
        if scute_ptrace_seize(pid, Self.traceOptions) != 0 {
            let err = scute_errno()
            kill(pid, SIGKILL)
            var st: Int32 = 0
            _ = scute_waitpid_all(pid, &st, 0)
            close(releaseFD)
            close(errorFD)
            let hint = err == EPERM ? " (the container needs the SYS_PTRACE capability and a seccomp profile that allows ptrace)" : ""
            return traceFailed("ptrace(PTRACE_SEIZE): \(SystemError("ptrace", errno: err).description)\(hint)")
        }
        appPid.store(pid, ordering: .releasing)
        tracees[pid] = Tracee()
        Sys.writeAll(releaseFD, [1])
        close(releaseFD)
        return traceLoop(app: pid, errorFD: errorFD)
    }

    private func spawn(filter: [sock_filter], wait: Bool, releaseFD: inout Int32, errorFD: inout Int32) -> Int32 {
        let argv = config.command.map { strdup($0) } + [nil]
        let envp = config.environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        return filter.withUnsafeBufferPointer { prog in
            scute_spawn(argv[0], argv, envp, prog.baseAddress, UInt16(prog.count), 1, wait ? 1 : 0, &releaseFD, &errorFD)
        }
    }

    /// Reports why tracing is impossible, then runs the app unprotected or refuses, per the settings.
    private func traceFailed(_ reason: String) -> Int32 {
        Sys.warn("scute: cannot trace the app: \(reason)")
        let closed = config.onTraceFailure == .closed
        audit.record(
            AuditEvent(
                time: Sys.now(),
                type: .defender,
                effect: closed ? .prevent : .alert,
                attackType: .tracingUnavailable,
                cmdline: config.command.joined(separator: " "),
                msg: "critical: tracing unavailable (\(reason)); " + (closed ? "app not started" : "app running unprotected")
            )
        )
        if closed {
            Sys.warn("scute: refusing to start the app unprotected (--on-trace-failure closed)")
            return 126
        }
        var releaseFD: Int32 = -1
        var errorFD: Int32 = -1
        let pid = spawn(filter: [], wait: false, releaseFD: &releaseFD, errorFD: &errorFD)
        guard pid > 0 else { return 126 }
        appPid.store(pid, ordering: .releasing)
        var execFailure = scute_spawn_failure()
        let n = withUnsafeMutableBytes(of: &execFailure) { read(errorFD, $0.baseAddress, $0.count) }
        close(errorFD)
        while true {
            var status: Int32 = 0
            let r = scute_waitpid_all(-1, &status, 0)
            if r < 0 {
                if scute_errno() == EINTR { continue }
                return 126
            }
            if r == pid {
                if n == MemoryLayout<scute_spawn_failure>.size { return execFailed(execFailure.error) }
                return Self.exitCode(status)
            }
        }
    }

    private func execFailed(_ err: Int32) -> Int32 {
        Sys.warn("scute: cannot run \(config.command.first ?? ""): \(SystemError("execve", errno: err).description)")
        return err == ENOENT ? 127 : 126
    }

    static func exitCode(_ status: Int32) -> Int32 {
        if scute_wifexited(status) != 0 { return scute_wexitstatus(status) }
        if scute_wifsignaled(status) != 0 { return 128 + scute_wtermsig(status) }
        return 1
    }

    // MARK: - The loop

    private func traceLoop(app: Int32, errorFD: Int32) -> Int32 {
        var errorFD = errorFD
        while true {
            var status: Int32 = 0
            let tid = scute_waitpid_all(-1, &status, 0)
            if tid < 0 {
                if scute_errno() == EINTR { continue }
                return 1
            }
            if scute_wifexited(status) != 0 || scute_wifsignaled(status) != 0 {
                tracees[tid] = nil
                if tid == app {
                    if errorFD >= 0 {
                        var f = scute_spawn_failure()
                        let n = withUnsafeMutableBytes(of: &f) { read(errorFD, $0.baseAddress, $0.count) }
                        close(errorFD)
                        errorFD = -1
                        if n == MemoryLayout<scute_spawn_failure>.size {
                            if f.stage == SCUTE_SPAWN_STAGE_FILTER {
                                tracees = [:]
                                return traceFailed("installing the seccomp filter: \(SystemError("seccomp", errno: f.error).description)")
                            }
                            return f.stage == SCUTE_SPAWN_STAGE_EXEC ? execFailed(f.error) : 126
                        }
                    }
                    return Self.exitCode(status)
                }
                continue
            }
            guard scute_wifstopped(status) != 0 else { continue }
            let sig = scute_wstopsig(status)
            let event = scute_wevent(status)
            var known = tracees[tid] ?? Tracee()
            let firstStop = !known.started
            known.started = true
            tracees[tid] = known
            switch event {
            case SCUTE_PTRACE_EVENT_SECCOMP:
                handleSeccomp(tid)
                if tracees[tid]?.verify != nil {
                    _ = scute_ptrace_syscall(tid, 0)
                } else {
                    _ = scute_ptrace_cont(tid, 0)
                }
            case SCUTE_PTRACE_EVENT_EXEC:
                if tid == app && errorFD >= 0 {
                    close(errorFD)
                    errorFD = -1
                }
                var former: UInt = 0
                var execName = tracees[tid]?.execName
                if scute_ptrace_geteventmsg(tid, &former) == 0, Int32(truncatingIfNeeded: former) != tid {
                    // Exec from a non-leader thread: the thread took over the leader's id.
                    execName = tracees[Int32(truncatingIfNeeded: former)]?.execName
                    tracees[Int32(truncatingIfNeeded: former)] = nil
                }
                tracees[tid]?.execName = nil
                // A new image has a memory of its own (the other threads are gone).
                tracees[tid]?.sharesMemory = false
                if handleExec(tid, execName: execName) { continue }
                _ = scute_ptrace_cont(tid, 0)
            case SCUTE_PTRACE_EVENT_FORK, SCUTE_PTRACE_EVENT_VFORK, SCUTE_PTRACE_EVENT_CLONE:
                var child: UInt = 0
                if scute_ptrace_geteventmsg(tid, &child) == 0 {
                    let c = Int32(truncatingIfNeeded: child)
                    if tracees[c] == nil { tracees[c] = Tracee() }
                    if event == SCUTE_PTRACE_EVENT_CLONE {
                        tracees[c]?.sharesMemory = true
                        tracees[tid]?.sharesMemory = true
                    }
                }
                _ = scute_ptrace_cont(tid, 0)
            case SCUTE_PTRACE_EVENT_STOP:
                // The first stop of a new tracee is its attach stop; a later one with a stop signal is a
                // group-stop, which LISTEN keeps in place without losing later events.
                if !firstStop && (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
                    _ = scute_ptrace_listen(tid)
                } else {
                    _ = scute_ptrace_cont(tid, 0)
                }
            case 0:
                if sig == (SIGTRAP | 0x80) {
                    if let pending = tracees[tid]?.verify {
                        tracees[tid]?.verify = nil
                        verifyConnect(tid, pending)
                    }
                    _ = scute_ptrace_cont(tid, 0)
                } else {
                    _ = scute_ptrace_cont(tid, sig)
                }
            default:
                _ = scute_ptrace_cont(tid, 0)
            }
        }
    }

    // MARK: - Exec

    /// Judges the new program at the exec event; returns true when it was killed.
    private func handleExec(_ pid: Int32, execName: String?) -> Bool {
        let current = policy.snapshot
        guard current.judgesProcesses || audit.forensicsCapacity > 0 else { return false }
        let mem = TraceeMemory(pid: pid)
        let exe = mem.executable ?? "?"
        let argv = mem.commandLine
        var launch = ProcessLaunch(path: exe, arguments: argv)
        // The name as exec'd: only ever a denied-list name or a root-made alias, so the copy read at the
        // seccomp stop is as good as AT_EXECFN (a racing thread can only pick another real alias).
        if let abs = execName ?? mem.execFileName().map({ absolute($0, tid: pid, dirfd: nil) }) {
            if abs != exe {
                if isTrustedAlias(abs, of: exe) {
                    launch.aliases.append(abs)
                } else {
                    launch.otherPaths.append(abs)
                }
            }
        }
        if exe.hasPrefix("/memfd:") {
            // The app chose this name: it may deny (a miner calling itself xmrig), never allow.
            var name = String(exe.dropFirst("/memfd:".count))
            if name.hasSuffix(" (deleted)") { name.removeLast(" (deleted)".count) }
            launch.otherPaths.append(name)
        }
        let verdict = current.rule?.evaluate(launch) ?? .allow
        if verdict.action != .allow || audit.forensicsCapacity > 0 {
            let event = processEvent(pid: pid, path: exe, argv: argv, verdict: verdict, msg: verdict.message)
            audit.forensic(event)
            if verdict.action != .allow { audit.record(event) }
        }
        if verdict.prevents {
            // Stopped at the exec event: the new image has not run a single instruction.
            kill(pid, SIGKILL)
            return true
        }
        return false
    }

    /// Refuses a denied execve before it happens (EACCES to the caller), when the path can be judged
    /// from the call alone. The exec event still judges whatever does run.
    private func earlyExec(_ tid: Int32, _ info: scute_syscall, _ t: SyscallTable, _ args: [UInt64], pointerSize: Int) -> Int32? {
        let current = policy.snapshot
        guard current.judgesProcesses, let rule = current.rule else { return nil }
        let mem = TraceeMemory(pid: tid)
        let isAt = info.nr == t.execveat
        guard let raw = mem.string(isAt ? args[1] : args[0]) else { return nil }
        let atEmptyPath: UInt64 = 0x1000
        let path: String
        if isAt && raw.isEmpty && args[4] & atEmptyPath != 0 {
            path = "/proc/\(tid)/fd/\(Int32(truncatingIfNeeded: args[0]))"
        } else {
            let dirfd = isAt ? Int32(truncatingIfNeeded: args[0]) : nil
            path = absolute(raw, tid: tid, dirfd: dirfd)
        }
        tracees[tid]?.execName = path
        // By name only, and the file must exist (execvp tries every PATH entry). Symlinked names and miner
        // arguments are judged at the exec event, which reads the resolved executable and /proc/PID/cmdline.
        // /proc/self/fd/N and /dev/fd/N say nothing by name: resolve those first.
        let viaDescriptor = path.hasPrefix("/proc/") || path.hasPrefix("/dev/fd/")
        let quick = viaDescriptor ? (Sys.realPath(procRelative(path, tid: tid)) ?? path) : path
        guard rule.evaluateEarly(ProcessLaunch(path: quick, otherPaths: [path])).prevents, let real = Sys.realPath(procRelative(path, tid: tid))
        else {
            return nil
        }
        let argv = mem.stringArray(isAt ? args[2] : args[1], pointerSize: pointerSize)
        let verdict = rule.evaluateEarly(ProcessLaunch(path: real, otherPaths: [path], arguments: argv))
        guard verdict.prevents else { return nil }
        audit.record(processEvent(pid: tid, path: real, argv: argv, verdict: verdict, msg: verdict.message + " (execve refused)"))
        return EACCES
    }

    private func processEvent(pid: Int32, path: String, argv: [String], verdict: Verdict, msg: String) -> AuditEvent {
        let (ppid, uid) = TraceeMemory(pid: pid).parentAndUser
        return AuditEvent(
            time: Sys.now(),
            type: .process,
            effect: verdict.action,
            rule: verdict.rule,
            attackType: verdict.attackType,
            pid: pid,
            ppid: ppid,
            processPath: path,
            cmdline: argv.joined(separator: " "),
            user: uid.map { users.name($0) },
            msg: msg.isEmpty ? "launched \(path)" : msg
        )
    }

    /// An absolute path for a name the tracee used, relative to its cwd or a directory fd.
    private func absolute(_ name: String, tid: Int32, dirfd: Int32?) -> String {
        if name.hasPrefix("/") { return name }
        let base: String?
        if let dirfd, dirfd != -100 {  // AT_FDCWD
            base = Sys.readLink("/proc/\(tid)/fd/\(dirfd)")
        } else {
            base = TraceeMemory(pid: tid).workingDirectory
        }
        return (base ?? "") + "/" + name
    }

    /// Rewrites /proc/self and /dev/fd names, which mean the tracee, into names the defender can open.
    private func procRelative(_ path: String, tid: Int32) -> String {
        for (prefix, replacement) in [("/proc/self/", "/proc/\(tid)/"), ("/proc/thread-self/", "/proc/\(tid)/"), ("/dev/fd/", "/proc/\(tid)/fd/")]
        where path.hasPrefix(prefix) {
            return replacement + path.dropFirst(prefix.count)
        }
        return path
    }

    /// Whether `name` is a symlink to `exe` that only root could have made (cached: only root can change it).
    private func isTrustedAlias(_ name: String, of exe: String) -> Bool {
        if let cached = aliasCache[name], cached == exe { return true }
        guard Self.isTrustedDirectory(Sys.dirName(name)), Sys.realPath(name) == exe else { return false }
        if aliasCache.count > 4096 { aliasCache.removeAll() }
        aliasCache[name] = exe
        return true
    }

    static func isTrustedDirectory(_ dir: String) -> Bool {
        var st = stat()
        guard stat(dir, &st) == 0 else { return false }
        return st.st_uid == 0 && st.st_mode & 0o022 == 0
    }

    // MARK: - Network syscalls

    private func handleSeccomp(_ tid: Int32) {
        tracees[tid]?.verify = nil
        var info = scute_syscall()
        guard scute_ptrace_get_syscall(tid, &info) == 0, let t = SyscallTable.forArch(info.arch) else { return }
        let args = withUnsafeBytes(of: info.args) { Array($0.bindMemory(to: UInt64.self)) }
        let pointerSize = info.arch == SCUTE_AUDIT_ARCH_I386 ? 4 : 8
        var refuse: Int32?
        switch info.nr {
        case t.execve, t.execveat:
            refuse = earlyExec(tid, info, t, args, pointerSize: pointerSize)
        case t.connect:
            var checked: SocketAddress?
            refuse = checkDestination(tid, address: args[1], length: args[2], call: "connect", checked: &checked)
            if refuse == nil, policy.snapshot.judgesNetwork, tracees[tid]?.sharesMemory == true, info.arch == table.auditArch, let checked {
                tracees[tid]?.verify = PendingConnect(fd: Int32(truncatingIfNeeded: args[0]), checked: checked)
            }
        case t.sendto:
            if args[4] != 0 { refuse = checkDestination(tid, address: args[4], length: args[5], call: "sendto") }
        case t.sendmsg:
            refuse = checkMessage(tid, header: args[1])
        case t.sendmmsg:
            let count = min(Int(truncatingIfNeeded: args[2] & 0xffff_ffff), 1024)
            for i in 0..<count where refuse == nil {
                refuse = checkMessage(tid, header: args[1] + UInt64(i * 64))
            }
        case t.bind:
            refuse = checkBind(tid, address: args[1], length: args[2])
        case t.listen:
            refuse = checkListen(tid, fd: Int32(truncatingIfNeeded: args[0]))
        default:
            break
        }
        if let refuse {
            _ = scute_ptrace_skip_syscall(tid, -Int(refuse))
        }
    }

    /// A msghdr's destination (msg_name, msg_namelen at offsets 0 and 8 on 64-bit).
    private func checkMessage(_ tid: Int32, header: UInt64) -> Int32? {
        let mem = TraceeMemory(pid: tid)
        guard let name = mem.pointer(header, size: 8), name != 0, let lenBytes = mem.read(header + 8, count: 4) else { return nil }
        let len = UInt64(lenBytes[0]) | UInt64(lenBytes[1]) << 8 | UInt64(lenBytes[2]) << 16 | UInt64(lenBytes[3]) << 24
        return checkDestination(tid, address: name, length: len, call: "sendmsg")
    }

    private func checkDestination(_ tid: Int32, address: UInt64, length: UInt64, call: String) -> Int32? {
        var checked: SocketAddress?
        return checkDestination(tid, address: address, length: length, call: call, checked: &checked)
    }

    /// Judges a destination; `checked` is the address judged (after a DNS rewrite, the forwarder's), so
    /// a later verification compares against what was actually let through, not a second read.
    private func checkDestination(_ tid: Int32, address: UInt64, length: UInt64, call: String, checked: inout SocketAddress?) -> Int32? {
        guard length >= 2, address != 0 else { return nil }
        let mem = TraceeMemory(pid: tid)
        guard let bytes = mem.read(address, count: Int(min(length, 128))), let sa = SocketAddress(bytes: bytes) else { return nil }
        let now = Sys.now()
        if sa.port == 53, let dns, let port = dns.localPort(forUpstream: sa) {
            let rewritten = sa.rewritten(toIPv4: [127, 0, 0, 1], port: port)
            mem.write(address, rewritten)
            checked = SocketAddress(bytes: rewritten)
            return nil
        }
        checked = sa
        let current = policy.snapshot
        guard current.judgesNetwork || audit.forensicsCapacity > 0 else { return nil }
        let domains = learned.names(for: sa.ip, now: now)
        let verdict = current.rule?.evaluateConnection(ip: sa.ip, port: Int(sa.port), domains: domains) ?? .allow
        guard verdict.action != .allow || audit.forensicsCapacity > 0 else { return nil }
        let (ppid, uid) = mem.parentAndUser
        let event = AuditEvent(
            time: now,
            type: .network,
            effect: verdict.action,
            rule: verdict.rule,
            attackType: verdict.attackType,
            pid: tid,
            ppid: ppid,
            processPath: mem.executable,
            user: uid.map { users.name($0) },
            domain: domains.first,
            ip: sa.ip.description,
            port: Int(sa.port),
            msg: verdict.message.isEmpty ? "\(call) to \(sa.ip):\(sa.port)" : verdict.message
        )
        audit.forensic(event)
        if verdict.action != .allow { audit.record(event) }
        return verdict.prevents ? ECONNREFUSED : nil
    }

    private func listening(_ tid: Int32, port: Int) -> Int32? {
        let current = policy.snapshot
        guard current.judgesNetwork else { return nil }
        let verdict = current.rule?.evaluateListening(port: port) ?? .allow
        guard verdict.action != .allow else { return nil }
        let mem = TraceeMemory(pid: tid)
        let (ppid, uid) = mem.parentAndUser
        audit.record(
            AuditEvent(
                time: Sys.now(),
                type: .listening,
                effect: verdict.action,
                rule: verdict.rule,
                attackType: verdict.attackType,
                pid: tid,
                ppid: ppid,
                processPath: mem.executable,
                user: uid.map { users.name($0) },
                port: port,
                msg: verdict.message
            )
        )
        return verdict.prevents ? EACCES : nil
    }

    private func checkBind(_ tid: Int32, address: UInt64, length: UInt64) -> Int32? {
        guard length >= 2, let bytes = TraceeMemory(pid: tid).read(address, count: Int(min(length, 128))), let sa = SocketAddress(bytes: bytes),
            sa.port != 0
        else { return nil }
        return listening(tid, port: Int(sa.port))
    }

    /// The port a socket is bound to, read through a duplicate of the tracee's descriptor.
    private func checkListen(_ tid: Int32, fd: Int32) -> Int32? {
        guard policy.rule != nil else { return nil }
        let tgid = Self.threadGroup(of: tid)
        let pidfd = scute_pidfd_open(tgid)
        guard pidfd >= 0 else { return nil }
        defer { close(pidfd) }
        let dup = scute_pidfd_getfd(pidfd, fd)
        guard dup >= 0 else { return nil }
        defer { close(dup) }
        var storage = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(dup, $0, &len) }
        }
        guard rc == 0 else { return nil }
        let bytes = withUnsafeBytes(of: storage) { Array($0.prefix(Int(len))) }
        guard let sa = SocketAddress(bytes: bytes) else { return nil }
        return listening(tid, port: Int(sa.port))
    }

    /// At the exit of a connect let through: the kernel's own idea of the peer (SO_PEERNAME also answers
    /// for a connect still in progress). If another thread swapped the address after the check and the
    /// real destination is one the policy refuses, the process dies before it can use the socket.
    private func verifyConnect(_ tid: Int32, _ pending: PendingConnect) {
        var rval: Int64 = 0
        guard scute_ptrace_get_syscall_exit(tid, &rval) == 0, rval == 0 || rval == -Int64(EINPROGRESS) else { return }
        let tgid = Self.threadGroup(of: tid)
        let pidfd = scute_pidfd_open(tgid)
        guard pidfd >= 0 else { return }
        defer { close(pidfd) }
        let dup = scute_pidfd_getfd(pidfd, pending.fd)
        guard dup >= 0 else { return }
        defer { close(dup) }
        var storage = sockaddr_storage()
        // SO_PEERNAME refuses a buffer longer than the address: ask for exactly the family's size.
        var len = socklen_t(pending.checked.family == SocketAddress.afInet ? 16 : 28)
        guard getsockopt(dup, SOL_SOCKET, SO_PEERNAME, &storage, &len) == 0 else { return }
        let bytes = withUnsafeBytes(of: storage) { Array($0.prefix(Int(len))) }
        guard let actual = SocketAddress(bytes: bytes), actual.ip != pending.checked.ip || actual.port != pending.checked.port else { return }
        let domains = learned.names(for: actual.ip, now: Sys.now())
        let verdict = policy.rule?.evaluateConnection(ip: actual.ip, port: Int(actual.port), domains: domains) ?? .allow
        guard verdict.action != .allow else { return }
        let mem = TraceeMemory(pid: tid)
        let (ppid, uid) = mem.parentAndUser
        audit.record(
            AuditEvent(
                time: Sys.now(),
                type: .network,
                effect: verdict.action,
                rule: verdict.rule,
                attackType: verdict.attackType,
                pid: tid,
                ppid: ppid,
                processPath: mem.executable,
                user: uid.map { users.name($0) },
                domain: domains.first,
                ip: actual.ip.description,
                port: Int(actual.port),
                msg: verdict.message + " (destination changed after the check" + (verdict.prevents ? "; process killed)" : ")")
            )
        )
        if verdict.prevents { kill(tgid, SIGKILL) }
    }

    static func threadGroup(of tid: Int32) -> Int32 {
        guard let b = Sys.readFile("/proc/\(tid)/status", limit: 4096) else { return tid }
        for line in b.split(separator: 10) {
            let s = String(decoding: line, as: UTF8.self)
            if s.hasPrefix("Tgid:"), let v = Int32(s.dropFirst(5).trimmingWhitespace()) { return v }
        }
        return tid
    }
}
