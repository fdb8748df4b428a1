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
        /// This task's /proc/TID/mem, kept open once it has trapped a few network calls (-1: not open).
        var memFD: Int32 = -1
        var networkReads = 0
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
    private var launchVerdicts = LaunchVerdicts()
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
        let code = traceLoop(app: pid, errorFD: errorFD)
        forgetAll()
        return code
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
                forget(tid)
                if tid == app {
                    if errorFD >= 0 {
                        var f = scute_spawn_failure()
                        let n = withUnsafeMutableBytes(of: &f) { read(errorFD, $0.baseAddress, $0.count) }
                        close(errorFD)
                        errorFD = -1
                        if n == MemoryLayout<scute_spawn_failure>.size {
                            if f.stage == SCUTE_SPAWN_STAGE_FILTER {
                                forgetAll()
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
            let firstStop = tracees[tid]?.started != true
            if firstStop { tracees[tid, default: Tracee()].started = true }
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
                // Only a task that shares its memory with threads can have been replaced by one of them; a
                // lone task (every fork+exec child) exec'd itself, so skip the request. Ask when unsure.
                if tracees[tid]?.sharesMemory != false, scute_ptrace_geteventmsg(tid, &former) == 0,
                    Int32(truncatingIfNeeded: former) != tid
                {
                    // Exec from a non-leader thread: the thread took over the leader's id.
                    execName = tracees[Int32(truncatingIfNeeded: former)]?.execName
                    forget(Int32(truncatingIfNeeded: former))
                }
                tracees[tid]?.execName = nil
                // A new image has a memory of its own (the other threads are gone); an open
                // /proc/TID/mem still reads the old one.
                tracees[tid]?.sharesMemory = false
                closeMemory(tid)
                if handleExec(tid, execName: execName) { continue }
                _ = scute_ptrace_cont(tid, 0)
            case SCUTE_PTRACE_EVENT_CLONE:
                // A thread (or a CLONE_VM task): both sides now share memory. A fork or vfork child needs no
                // request here: its first stop registers it.
                var child: UInt = 0
                if scute_ptrace_geteventmsg(tid, &child) == 0 {
                    tracees[Int32(truncatingIfNeeded: child), default: Tracee()].sharesMemory = true
                }
                tracees[tid]?.sharesMemory = true
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
        let argv = initialArguments(pid)
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
        let verdict = current.rule.map { launchVerdicts.verdict(launch, rule: $0, early: false) } ?? .allow
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

    /// The new image's arguments at its exec event, from its initial stack: argc and the argv pointers at
    /// the stack pointer, the strings above them, where the kernel has just written them. That is two
    /// requests on memory already in place, where /proc/PID/cmdline costs a procfs lookup of a new pid's
    /// entry, an open, a read and a close: about 12 us of a 30 us exec decision on this kind of machine.
    /// Anything unusual (a 32-bit image, no arguments, a vector of more than a page) reads /proc/PID/cmdline.
    private func initialArguments(_ pid: Int32) -> [String] {
        var sp: UInt64 = 0
        var arch: UInt32 = 0
        if scute_ptrace_get_stack_pointer(pid, &sp, &arch) == 0, arch == table.auditArch, let argv = Self.argumentsOnStack(pid: pid, sp: sp) {
            return argv
        }
        return TraceeMemory(pid: pid).commandLine
    }

    /// Parses a 64-bit initial stack (argc, argv[0..<argc], NULL); nil when it does not look like one.
    static func argumentsOnStack(pid: Int32, sp: UInt64, limit: Int = 65536) -> [String]? {
        func read(_ address: UInt64, _ count: Int) -> [UInt8] {
            var buf = [UInt8](repeating: 0, count: count)
            // A read past the top of the stack stops at the end of the mapping: keep what came.
            let n = buf.withUnsafeMutableBytes { scute_read_memory(pid, address, $0.baseAddress, count) }
            buf.removeLast(count - max(0, n))
            return buf
        }
        func word(_ b: [UInt8], _ at: Int) -> UInt64 {
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
        }
        let head = read(sp, 4096)
        guard head.count >= 8 else { return nil }
        // A 32-bit stack read as 64-bit words puts argv[0] in argc's high half: far above this bound.
        let argc = Int(truncatingIfNeeded: min(word(head, 0), 4096))
        guard argc > 0, 8 * (argc + 2) <= head.count, word(head, 8 * (argc + 1)) == 0 else { return nil }
        let pointers = (1...argc).map { word(head, 8 * $0) }
        let first = pointers[0]
        guard first > sp, pointers.allSatisfy({ $0 >= first && $0 - first < UInt64(limit) }) else { return nil }
        // The strings, from the first one to the NUL ending the last: often inside the page already read.
        func split(_ strings: ArraySlice<UInt8>) -> [String]? {
            var argv: [String] = []
            argv.reserveCapacity(argc)
            for p in pointers {
                let start = strings.startIndex + Int(p - first)
                guard start < strings.endIndex, let end = strings[start...].firstIndex(of: 0) else { return nil }
                argv.append(String(decoding: strings[start..<end], as: UTF8.self))
            }
            return argv
        }
        if first - sp < UInt64(head.count), let argv = split(head[Int(first - sp)...]) {
            return argv
        }
        let span = min(limit, Int((pointers.max() ?? first) - first) + 4096)
        // Still short (a last string longer than a page, or past the limit): /proc/PID/cmdline decides.
        return split(read(first, span)[...])
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
        guard launchVerdicts.verdict(ProcessLaunch(path: quick, otherPaths: [path]), rule: rule, early: true).prevents,
            let real = Sys.realPath(procRelative(path, tid: tid))
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

    /// An audit of a connection or listening verdict on `tid`, with its parent, user and executable.
    private func networkEvent(
        _ tid: Int32,
        type: AuditEvent.Kind,
        verdict: Verdict,
        time: Int64,
        domain: String? = nil,
        ip: String? = nil,
        port: Int,
        msg: String
    ) -> AuditEvent {
        let mem = TraceeMemory(pid: tid)
        let (ppid, uid) = mem.parentAndUser
        return AuditEvent(
            time: time,
            type: type,
            effect: verdict.action,
            rule: verdict.rule,
            attackType: verdict.attackType,
            pid: tid,
            ppid: ppid,
            processPath: mem.executable,
            user: uid.map { users.name($0) },
            domain: domain,
            ip: ip,
            port: port,
            msg: msg
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
        // msg_name, the msg_namelen after it (12 bytes: nothing else of the header is needed).
        guard let h = readNetworkArgument(tid, header, count: 12) else { return nil }
        let name = h[0..<8].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let len = h[8..<12].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard name != 0 else { return nil }
        return checkDestination(tid, address: name, length: len, call: "sendmsg")
    }

    /// Reads a trapped network call's argument (a sockaddr, a msghdr). process_vm_readv checks ptrace
    /// access, LSM hooks included, on every call, about a quarter of a trapped connect's cost here; a task
    /// that keeps trapping such calls gets its /proc/TID/mem kept open (checked once, at open) and read
    /// with one pread. One-off callers do not pay for the open.
    private func readNetworkArgument(_ tid: Int32, _ address: UInt64, count: Int) -> [UInt8]? {
        guard address != 0, count > 0 else { return nil }
        var fd = tracees[tid]?.memFD ?? -1
        if fd < 0, let reads = tracees[tid]?.networkReads {
            tracees[tid]?.networkReads = reads + 1
            if reads + 1 == Self.readsBeforeKeepingMemoryOpen && keptMemoryFiles < Self.maxKeptMemoryFiles {
                // -1 when it cannot be opened (no descriptors left): process_vm_readv goes on working.
                fd = open("/proc/\(tid)/mem", O_RDONLY | O_CLOEXEC)
                tracees[tid]?.memFD = fd
                if fd >= 0 { keptMemoryFiles += 1 }
            }
        }
        if fd >= 0, address <= UInt64(Int64.max) {
            var buf = [UInt8](repeating: 0, count: count)
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(Int64(address))) }
            if n == count { return buf }
        }
        return TraceeMemory(pid: tid).read(address, count: count)
    }

    static let readsBeforeKeepingMemoryOpen = 3
    /// At most this many kept open at once, so that a tree of many busy threads cannot use up the
    /// defender's descriptors (the DNS forwarder and the audit log need some).
    static let maxKeptMemoryFiles = 64
    private var keptMemoryFiles = 0

    /// Drops a task that is gone, and its descriptor.
    private func forget(_ tid: Int32) {
        if let fd = tracees.removeValue(forKey: tid)?.memFD, fd >= 0 {
            close(fd)
            keptMemoryFiles -= 1
        }
    }

    private func forgetAll() {
        for t in tracees.values where t.memFD >= 0 { close(t.memFD) }
        tracees = [:]
        keptMemoryFiles = 0
    }

    /// Closes a task's /proc/TID/mem (after exec it would read the old image's memory).
    private func closeMemory(_ tid: Int32) {
        guard let fd = tracees[tid]?.memFD else { return }
        if fd >= 0 {
            close(fd)
            keptMemoryFiles -= 1
        }
        tracees[tid]?.memFD = -1
        tracees[tid]?.networkReads = 0
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
        guard let bytes = readNetworkArgument(tid, address, count: Int(min(length, 128))), let sa = SocketAddress(bytes: bytes) else { return nil }
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
        let event = networkEvent(
            tid,
            type: .network,
            verdict: verdict,
            time: now,
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
        audit.record(networkEvent(tid, type: .listening, verdict: verdict, time: Sys.now(), port: port, msg: verdict.message))
        return verdict.prevents ? EACCES : nil
    }

    private func checkBind(_ tid: Int32, address: UInt64, length: UInt64) -> Int32? {
        guard length >= 2, let bytes = readNetworkArgument(tid, address, count: Int(min(length, 128))), let sa = SocketAddress(bytes: bytes),
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
        audit.record(
            networkEvent(
                tid,
                type: .network,
                verdict: verdict,
                time: Sys.now(),
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

/// Verdicts of recent launches under the rule in force. Shells, build tools and health-check loops run
/// the same command lines over and over, and judging one (every name against the lists, every argument
/// for miner markers) costs more than a lookup. A verdict depends on nothing but the launch and the rule.
private struct LaunchVerdicts {
    private struct Key: Hashable {
        var path: String
        var aliases: [String]
        var otherPaths: [String]
        var arguments: [String]
        var early: Bool
    }

    /// Bounded both ways: entries, and argument bytes per entry (a 64 KB command line is judged, not kept).
    static let capacity = 256
    static let argumentBytesLimit = 1024

    private var rule: Rule?
    private var verdicts: [Key: Verdict] = [:]

    mutating func verdict(_ launch: ProcessLaunch, rule: Rule, early: Bool) -> Verdict {
        // Equal rules share their storage until the policy is replaced, so this is cheap when nothing changed.
        if self.rule != rule {
            self.rule = rule
            verdicts.removeAll()
        }
        guard launch.arguments.reduce(0, { $0 + $1.utf8.count }) <= Self.argumentBytesLimit else {
            return early ? rule.evaluateEarly(launch) : rule.evaluate(launch)
        }
        let key = Key(path: launch.path, aliases: launch.aliases, otherPaths: launch.otherPaths, arguments: launch.arguments, early: early)
        if let known = verdicts[key] { return known }
        let verdict = early ? rule.evaluateEarly(launch) : rule.evaluate(launch)
        if verdicts.count >= Self.capacity { verdicts.removeAll(keepingCapacity: true) }
        verdicts[key] = verdict
        return verdict
    }
}
