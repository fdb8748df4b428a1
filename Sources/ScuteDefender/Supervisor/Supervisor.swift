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
    /// What the app gives up before it starts: capabilities, and the user it runs as.
    package var identity: SpawnIdentity

    package init(
        command: [String],
        environment: [String],
        rule: Rule?,
        onTraceFailure: TraceFailureMode = .open,
        identity: SpawnIdentity = SpawnIdentity()
    ) {
        self.command = command
        self.environment = environment
        self.rule = rule
        self.onTraceFailure = onTraceFailure
        self.identity = identity
    }
}

/// The ptrace + seccomp supervisor of the app's whole process tree. `run()` must be called on the one
/// thread that will own every ptrace request (ptrace only works from the thread that attached).
package final class Supervisor: @unchecked Sendable {
    struct Tracee {
        var started = false
        /// Another task shares this one's memory (a thread): an exec event may come from one of them.
        var sharesMemory = false
        /// The absolute name of the last execve this task asked for (what AT_EXECFN will say), read at
        /// the seccomp stop so the exec event need not open /proc/PID/auxv.
        var execName: String?
        /// This task's /proc/TID/mem, kept open once it has trapped a few network calls (-1: not open).
        var memFD: Int32 = -1
        var networkReads = 0
        /// This task's pidfd, kept for its network calls (-1: not open).
        var pidFD: Int32 = -1
    }

    let config: SupervisorConfiguration
    let audit: AuditSink
    let learned: LearnedNames
    let dns: (any DNSRedirector)?
    let users = UserNames()
    let table = SyscallTable.native
    /// The app's pid, for the signal-forwarding thread.
    package let appPid = Atomic<Int32>(0)
    var tracees: [Int32: Tracee] = [:]
    var aliasCache: [String: String] = [:]
    var launchVerdicts = LaunchVerdicts()
    var executableDigests = ExecutableDigests()
    /// Network calls performed on the app's behalf that wait for their socket (a blocking connect).
    var held = HeldCalls()
    /// A signalfd for SIGCHLD, polled with held sockets (-1 until calls are first held).
    var childSignals: Int32 = -1
    /// Kept descriptors (/proc/TID/mem and pidfds), at most maxKeptMemoryFiles.
    var keptMemoryFiles = 0
    /// The capabilities the app started with: calls the tracer performs for it run with these and no
    /// more (a bind below 1024, SO_MARK in ancillary data), so that doing the call for the app never lends
    /// it the defender's privileges.
    var appCapabilities: UInt64 = 0
    /// A pidfd opened past the kept budget, closed when the next one is opened.
    var transientPidfd: Int32?
    /// The rule in force, which the console may replace while the app runs.
    package let policy: LivePolicy
    /// The container's compliance scans, and the package index the "modified binary" finding uses.
    let compliance: ComplianceMonitor?

    package init(
        configuration: SupervisorConfiguration,
        audit: AuditSink,
        learned: LearnedNames,
        dns: (any DNSRedirector)?,
        policy: LivePolicy? = nil,
        compliance: ComplianceMonitor? = nil
    ) {
        self.compliance = compliance
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
        let filter = SeccompFilter.program(defender: getpid()).map { sock_filter(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
        var releaseFD: Int32 = -1
        var errorFD: Int32 = -1
        // A defender without CAP_SYS_PTRACE can only seize a dumpable child, and the child is dumpable only
        // once it runs: be dumpable from the fork to the seize. No app code runs in that window (the child
        // waits for the release), so nothing is there to take advantage of it.
        _ = scute_set_dumpable(1)
        let pid = spawn(filter: filter, wait: true, releaseFD: &releaseFD, errorFD: &errorFD)
        defer { _ = scute_set_dumpable(0) }
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
        _ = scute_set_dumpable(0)
        var effective: UInt64 = 0
        var permitted: UInt64 = 0
        var inheritable: UInt64 = 0
        if config.identity.user.map({ $0.uid != 0 }) != true && scute_capabilities(&effective, &permitted, &inheritable) == 0 {
            appCapabilities = permitted & ~config.identity.dropCapabilities
        }
        appPid.store(pid, ordering: .releasing)
        tracees[pid] = Tracee()
        // The app got the limits it started with; the tracer takes what the hard limit allows, so that a
        // check needing a descriptor (a duplicate of the app's socket) does not fail for want of one.
        Sys.raiseDescriptorLimit()
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
        let id = config.identity
        return id.groups.withUnsafeBufferPointer { groups in
            var spawnIdentity = scute_spawn_identity(
                drop_capabilities: id.dropCapabilities,
                set_user: id.user == nil ? 0 : 1,
                uid: id.user?.uid ?? 0,
                gid: id.user?.gid ?? 0,
                group_count: Int32(groups.count),
                groups: groups.baseAddress
            )
            return filter.withUnsafeBufferPointer { prog in
                scute_spawn_as(argv[0], argv, envp, prog.baseAddress, UInt16(prog.count), 1, wait ? 1 : 0, &spawnIdentity, &releaseFD, &errorFD)
            }
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
            // While calls are held, the wait also watches their sockets.
            let tid = held.isEmpty ? scute_waitpid_all(-1, &status, 0) : waitWhileHolding(&status)
            if tid == 0 { continue }
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
                switch handleSeccomp(tid) {
                case .proceed:
                    _ = scute_ptrace_cont(tid, 0)
                case .complete(let value):
                    complete(tid, value)
                case .hold(let call):
                    // Stays at its seccomp stop until the socket is ready (or its deadline passes).
                    held.add(call)
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
                // A thread (or a CLONE_VM task): an exec event may later come from either. Network calls do
                // not depend on this: they are performed on a copy the app cannot change.
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
                _ = scute_ptrace_cont(tid, sig == (SIGTRAP | 0x80) ? 0 : sig)
            default:
                _ = scute_ptrace_cont(tid, 0)
            }
        }
    }

    static let readsBeforeKeepingMemoryOpen = 3
    /// At most this many kept open at once, so that a tree of many busy threads cannot use up the
    /// defender's descriptors (the DNS forwarder and the audit log need some).
    static let maxKeptMemoryFiles = 64

    /// Drops a task that is gone, its descriptor and any call held for it.
    func forget(_ tid: Int32) {
        if let gone = tracees.removeValue(forKey: tid) {
            for fd in [gone.memFD, gone.pidFD] where fd >= 0 {
                close(fd)
                keptMemoryFiles -= 1
            }
        }
        held.drop(tid: tid)
    }

    func forgetAll() {
        for t in tracees.values {
            if t.memFD >= 0 { close(t.memFD) }
            if t.pidFD >= 0 { close(t.pidFD) }
        }
        for tid in held.calls.map(\.tid) { held.drop(tid: tid) }
        tracees = [:]
        keptMemoryFiles = 0
    }

    /// Closes a task's /proc/TID/mem (after exec it would read the old image's memory).
    func closeMemory(_ tid: Int32) {
        guard let fd = tracees[tid]?.memFD else { return }
        if fd >= 0 {
            close(fd)
            keptMemoryFiles -= 1
        }
        tracees[tid]?.memFD = -1
        tracees[tid]?.networkReads = 0
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
