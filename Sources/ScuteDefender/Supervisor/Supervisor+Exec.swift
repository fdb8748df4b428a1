import CScuteSys
import Glibc
import ScuteCore
import ScuteScan
import Synchronization

/// Process launches: an early refusal at the execve's seccomp stop, the decision at the exec event.
extension Supervisor {
    /// Judges the new program at the exec event; returns true when it was killed.
    func handleExec(_ pid: Int32, execName: String?) -> Bool {
        let current = policy.snapshot
        guard current.judgesProcesses || audit.forensicsCapacity > 0 else {
            // Nothing to judge; a launch of a file no package owns still makes the compliance scan look
            // at the writable folders again.
            if let compliance, let exe = TraceeMemory(pid: pid).executable, compliance.index.withLock({ $0 }) != nil,
                compliance.pathInRoot(exe).flatMap({ p in compliance.index.withLock { $0?.verify(p) } }) ?? .notOwned == .notOwned
            {
                compliance.nudge()
            }
            return false
        }
        let mem = TraceeMemory(pid: pid)
        guard let exe = mem.executable else {
            // The check cannot run without the executable: refuse the launch rather than allow it blind.
            guard current.judgesProcesses else { return false }
            audit.record(
                AuditEvent(
                    time: Sys.now(),
                    type: .process,
                    effect: .prevent,
                    rule: current.rule?.name,
                    attackType: .checkFailed,
                    pid: pid,
                    msg: "launch refused: the executable of process \(pid) could not be read (\(SystemError.last("readlink").description))"
                )
            )
            kill(pid, SIGKILL)
            return true
        }
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
        if let applet = Self.multiCallApplet(exe: exe, argv: argv) {
            // A multi-call binary runs the program its arguments name: Debian's busybox-static shell launches its
            // applets as /proc/self/exe with the applet's name in argv[0]. That name may deny, never allow.
            launch.otherPaths.append(applet)
        }
        if exe.hasPrefix("/memfd:") {
            // The app chose this name: it may deny (a miner calling itself xmrig), never allow.
            var name = String(exe.dropFirst("/memfd:".count))
            if name.hasSuffix(" (deleted)") { name.removeLast(" (deleted)".count) }
            launch.otherPaths.append(name)
        }
        if let rule = current.rule, rule.processes.usesDigests, rule.processes.effect != .disable {
            launch.sha256 = executableDigests.digest(pid: pid)
            if launch.sha256 == nil && !rule.processes.deniedDigests.isEmpty && rule.processes.allowedDigests.isEmpty {
                // A denied digest cannot be ruled out without the digest: refuse rather than guess. (With an
                // allowed list, an unknown digest is simply not allowed.)
                let verdict = Verdict(
                    action: rule.processes.effect == .prevent ? .prevent : .alert,
                    rule: rule.name,
                    attackType: .checkFailed,
                    message: "\(exe): its digest could not be computed to check the denied list"
                )
                audit.record(processEvent(pid: pid, path: exe, argv: argv, verdict: verdict, msg: verdict.message))
                if verdict.prevents {
                    kill(pid, SIGKILL)
                    return true
                }
            }
        }
        if let modified = modifiedBinary(pid: pid, exe: exe, argv: argv, rule: current.rule), modified { return true }
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
    func initialArguments(_ pid: Int32) -> [String] {
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
    func earlyExec(_ tid: Int32, _ info: scute_syscall, _ t: SyscallTable, _ args: [UInt64], pointerSize: Int) -> Int32? {
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

    func processEvent(pid: Int32, path: String, argv: [String], verdict: Verdict, msg: String) -> AuditEvent {
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
    func absolute(_ name: String, tid: Int32, dirfd: Int32?) -> String {
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
    func procRelative(_ path: String, tid: Int32) -> String {
        for (prefix, replacement) in [("/proc/self/", "/proc/\(tid)/"), ("/proc/thread-self/", "/proc/\(tid)/"), ("/dev/fd/", "/proc/\(tid)/fd/")]
        where path.hasPrefix(prefix) {
            return replacement + path.dropFirst(prefix.count)
        }
        return path
    }

    /// Whether `name` is a symlink to `exe` that only root could have made (cached: only root can change it).
    func isTrustedAlias(_ name: String, of exe: String) -> Bool {
        if let cached = aliasCache[name], cached == exe { return true }
        guard Self.isTrustedDirectory(Sys.dirName(name)), Sys.realPath(name) == exe else { return false }
        if aliasCache.count > 4096 { aliasCache.removeAll() }
        aliasCache[name] = exe
        return true
    }

    /// The applet a launch of a multi-call binary (busybox, toybox) runs: the one argv[0] names, or, when
    /// argv[0] names the binary itself (`busybox nc ...`), the one argv[1] names.
    static func multiCallApplet(exe: String, argv: [String]) -> String? {
        func base(_ path: Substring) -> Substring { path.split(separator: "/", omittingEmptySubsequences: false).last ?? path }
        let program = base(exe[...])
        guard program == "busybox" || program == "toybox", let first = argv.first else { return nil }
        var applet = base(first[...])
        if applet == program, argv.count > 1 { applet = base(argv[1][...]) }
        return applet.isEmpty || applet == program || applet.hasPrefix("-") ? nil : String(applet)
    }

    static func isTrustedDirectory(_ dir: String) -> Bool {
        var st = stat()
        guard stat(dir, &st) == 0 else { return false }
        return st.st_uid == 0 && st.st_mode & 0o022 == 0
    }

    /// The "modified binary" finding: a launch of a package's file whose content no longer matches the
    /// package database (index built by the compliance monitor's first scan; until then, nothing to say).
    /// A file no package owns makes the monitor look at the writable folders soon. Returns true when the
    /// launch was killed, nil when there was nothing to judge.
    func modifiedBinary(pid: Int32, exe: String, argv: [String], rule: Rule?) -> Bool? {
        guard let compliance, let index = compliance.index.withLock({ $0 }) else { return nil }
        // The index checks the file at a path; the kernel ran the file /proc/PID/exe opens. Another task can
        // rename a file over the path between the exec and this check (the launched one then reads as
        // "PATH (deleted)"): the verdict counts only when the path still names the launched file.
        let named = exe.hasSuffix(" (deleted)") ? String(exe.dropLast(" (deleted)".count)) : exe
        guard let path = compliance.pathInRoot(named) else {
            compliance.nudge()
            return nil
        }
        var launched = stat()
        var atPath = stat()
        let sameFile =
            stat("/proc/\(pid)/exe", &launched) == 0 && stat(named, &atPath) == 0
            && launched.st_dev == atPath.st_dev && launched.st_ino == atPath.st_ino
        var integrity = index.verify(path)
        if !sameFile, case .intact(let package) = integrity { integrity = .modified(package: package) }
        switch integrity {
        case .notOwned:
            compliance.nudge()
            return nil
        case .modified(let package):
            guard let rule, rule.processes.modifiedBinaries != .disable else { return nil }
            let verdict = Verdict(
                action: rule.processes.modifiedBinaries == .prevent ? .prevent : .alert,
                rule: rule.name,
                attackType: .modifiedBinary,
                message: "\(exe) of package \(package) differs from what the package installed"
            )
            audit.record(processEvent(pid: pid, path: exe, argv: argv, verdict: verdict, msg: verdict.message))
            guard verdict.prevents else { return false }
            kill(pid, SIGKILL)
            return true
        case .intact, .unreadable:
            return nil
        }
    }
}
