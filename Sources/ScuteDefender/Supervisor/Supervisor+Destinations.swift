import CScuteSys
import Glibc
import ScuteCore

/// Judging destinations (the policy's network rules, the DNS redirect) and reading call arguments.
extension Supervisor {
    /// Judges a destination the app named; port 53 is judged like any other destination first, then
    /// sent to the DNS forwarder. `address` is where the app keeps it, for the compatibility rewrite.
    func judge(_ tid: Int32, _ sa: SocketAddress, call: String, address: UInt64?) -> Destination {
        let now = Sys.now()
        let current = policy.snapshot
        let domains = learned.names(for: sa.ip, now: now)
        let verdict = current.rule?.evaluateConnection(ip: sa.ip, port: Int(sa.port), domains: domains) ?? .allow
        if verdict.action != .allow || audit.forensicsCapacity > 0 {
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
        }
        if verdict.prevents { return .refuse(ECONNREFUSED) }
        guard sa.port == 53, let dns else { return .allow(sa.raw) }
        guard let port = dns.localPort(forUpstream: sa) else {
            // No forwarder for this server (the bound is reached, or no socket): DNS rules could not be
            // enforced on what goes there, so it does not go.
            guard current.judgesDNS else { return .allow(sa.raw) }
            let event = networkEvent(
                tid,
                type: .dns,
                verdict: Verdict(action: .prevent, rule: current.rule?.name, attackType: .checkFailed, message: ""),
                time: now,
                ip: sa.ip.description,
                port: 53,
                msg: "\(call) to DNS server \(sa.ip) refused: no forwarder is available for it"
            )
            audit.record(event)
            return .refuse(ECONNREFUSED)
        }
        let rewritten = sa.rewritten(toIPv4: [127, 0, 0, 1], port: port)
        // The app's copy is rewritten too (best effort, not a security measure): resolvers compare the
        // source of a reply with the address they sent to (glibc's connected socket, musl's sendto).
        if let address { TraceeMemory(pid: tid).write(address, rewritten) }
        return .allow(rewritten)
    }

    /// Records what a call that is not enforced reaches (forensics), and sends port 53 to the forwarder
    /// by rewriting the app's own copy: nothing in force depends on it, so a race gains nothing.
    func observeDestination(_ tid: Int32, address: UInt64, length: UInt64, call: String) {
        guard length >= 2, let bytes = readArgument(tid, address, count: Int(min(length, 128))), let sa = SocketAddress(bytes: bytes) else {
            return
        }
        if sa.port == 53, let dns, let port = dns.localPort(forUpstream: sa) {
            TraceeMemory(pid: tid).write(address, sa.rewritten(toIPv4: [127, 0, 0, 1], port: port))
            return
        }
        observe(tid, sa, call: call)
    }

    func observe(_ tid: Int32, _ sa: SocketAddress, call: String) {
        guard audit.forensicsCapacity > 0 else { return }
        let now = Sys.now()
        let domains = learned.names(for: sa.ip, now: now)
        audit.forensic(
            networkEvent(
                tid,
                type: .network,
                verdict: .allow,
                time: now,
                domain: domains.first,
                ip: sa.ip.description,
                port: Int(sa.port),
                msg: "\(call) to \(sa.ip):\(sa.port)"
            )
        )
    }

    /// Reads a trapped network call's argument (a sockaddr, a msghdr). process_vm_readv checks ptrace
    /// access, LSM hooks included, on every call, about a quarter of a trapped connect's cost here; a task
    /// that keeps trapping such calls gets its /proc/TID/mem kept open (checked once, at open) and read
    /// with one pread. One-off callers do not pay for the open.
    func readArgument(_ tid: Int32, _ address: UInt64, count: Int) -> [UInt8]? {
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

    /// An audit of a connection or listening verdict on `tid`, with its parent, user and executable.
    func networkEvent(
        _ tid: Int32,
        type: AuditEvent.Kind,
        verdict: Verdict,
        time: Int64,
        domain: String? = nil,
        ip: String? = nil,
        port: Int?,
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
}
