import CScuteSys
import Glibc
import ScuteCore
import ScuteScan
import Synchronization

/// The embedded defender's version, reported in hello messages and audits.
package let defenderVersion = "0.1.0"

/// Settings of `scute defend` / `defender defend`.
package struct DefenderOptions: Sendable, Equatable {
    package var command: [String] = []
    package var policyPath: String?
    /// An audit file, "-" for standard output; standard error when nil.
    package var auditLog: String?
    package var forensicsPath: String?
    package var onTraceFailure: TraceFailureMode = .open
    package var redirectDNS = true
    package var identity = AppIdentity(appID: "", image: "", container: "")
    /// Capabilities the app keeps that the defender would drop (SpawnIdentity.droppedByDefault).
    package var keepCapabilities: [String] = []
    /// `USER[:GROUP]` to run the app as (the defender itself runs as root, out of the app's reach).
    package var user: String?
    /// DNS servers whose answers teach names to addresses (default: /etc/resolv.conf at start).
    package var trustedResolvers: [String] = []
    /// The root the compliance monitor scans ("/"), or nil for no scan.
    package var scanRoot: String? = "/"
    /// Where the latest compliance report is written as JSON (besides the console), if anywhere.
    package var complianceReport: String?
    /// Seconds between rescans of the writable folders (default 60).
    package var scanInterval: Int?
    /// Whether the app may start before the console's policy has arrived (SCUTE_STARTUP_MODE, `--startup-mode`).
    package var startupMode: StartupMode = .availability

    package init() {}

    /// Fills in what SCUTE_* variables say (command-line options parsed later override them).
    package mutating func apply(environment: [String: String]) {
        if let v = environment["SCUTE_APP_ID"] { identity.appID = v }
        if let v = environment["SCUTE_IMAGE_NAME"] { identity.image = v }
        if let v = environment["SCUTE_CONTAINER_NAME"] { identity.container = v }
        if let v = environment["SCUTE_TASK_FAMILY"] { identity.taskFamily = v }
        if let v = environment["SCUTE_TASK_ARN"] { identity.taskID = AppIdentity.taskID(fromARN: v) }
        if let v = environment["SCUTE_POLICY_FILE"] { policyPath = v }
        if let v = environment["SCUTE_AUDIT_LOG"] { auditLog = v }
        if let v = environment["SCUTE_ON_TRACE_FAILURE"], let m = TraceFailureMode(rawValue: v) { onTraceFailure = m }
        if let v = environment["SCUTE_KEEP_CAPABILITIES"] {
            keepCapabilities = v.split(separator: ",").compactMap { SpawnIdentity.capabilityName(String($0)) }
        }
        if let v = environment["SCUTE_APP_USER"], !v.isEmpty { user = v }
        if let v = environment["SCUTE_DNS_RESOLVERS"] { trustedResolvers = v.split(separator: ",").map(String.init) }
        if let v = environment["SCUTE_SCAN_ROOT"] { scanRoot = v.isEmpty || v == "off" ? nil : v }
        if let v = environment["SCUTE_SCAN_INTERVAL"], let n = Int(v), n > 0 { scanInterval = n }
    }

    /// Parses the defender's own argv after the subcommand (`defend` or `rasp`): options, then `--`
    /// (optional before a command that does not start with `-`), then the command.
    package static func parse(_ args: [String], environment: [String: String] = [:]) throws(DefenderError) -> DefenderOptions {
        var o = DefenderOptions()
        o.apply(environment: environment)
        // Not a value to guess at: a mistyped mode must not quietly start the app without the console's policy.
        var modeProblem: StartupModeError?
        if let v = environment[StartupMode.variable], !v.isEmpty {
            do {
                o.startupMode = try StartupMode(parsing: v, source: StartupMode.variable)
            } catch {
                modeProblem = error
            }
        }
        var i = 0
        func value(_ name: String) throws(DefenderError) -> String {
            i += 1
            guard i < args.count else { throw .usage("\(name) needs a value") }
            return args[i]
        }
        while i < args.count {
            let a = args[i]
            var name = a
            var inline: String?
            if a.hasPrefix("--"), let eq = a.firstIndex(of: "=") {
                name = String(a[..<eq])
                inline = String(a[a.index(after: eq)...])
            }
            func v() throws(DefenderError) -> String {
                if let inline { return inline }
                return try value(name)
            }
            switch name {
            case "--":
                o.command = Array(args[(i + 1)...])
                i = args.count
                continue
            case "--policy": o.policyPath = try v()
            case "--audit-log": o.auditLog = try v()
            case "--forensics": o.forensicsPath = try v()
            case "--app-id": o.identity.appID = try v()
            case "--container": o.identity.container = try v()
            case "--image": o.identity.image = try v()
            case "--no-dns-redirect": o.redirectDNS = false
            case "--keep-capability":
                let c = try v()
                guard let name = SpawnIdentity.capabilityName(c) else { throw .usage("--keep-capability: unknown capability \(c)") }
                o.keepCapabilities.append(name)
            case "--user": o.user = try v()
            case "--dns-resolver": o.trustedResolvers.append(try v())
            case "--scan-root":
                let root = try v()
                o.scanRoot = root == "off" ? nil : root
            case "--compliance-report": o.complianceReport = try v()
            case "--startup-mode":
                let s = try v()
                do {
                    o.startupMode = try StartupMode(parsing: s, source: "--startup-mode")
                    modeProblem = nil
                } catch {
                    throw .usage(error.description)
                }
            case "--on-trace-failure":
                let s = try v()
                guard let m = TraceFailureMode(rawValue: s) else { throw .usage("--on-trace-failure: expected open or closed, got \(s)") }
                o.onTraceFailure = m
            default:
                if a.hasPrefix("-") { throw .usage("unknown option \(a)") }
                o.command = Array(args[i...])
                i = args.count
                continue
            }
            i += 1
        }
        if let modeProblem { throw .usage(modeProblem.description) }
        guard !o.command.isEmpty else { throw .usage("no command to run (defender defend [OPTIONS] -- CMD [ARGS...])") }
        return o
    }
}

/// Errors of the defender's start-up.
package struct DefenderError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case usage(String)
        case policy(String)
        case auditLog(String)
    }

    private let kind: Kind

    static func usage(_ m: String) -> DefenderError { DefenderError(kind: .usage(m)) }
    static func policy(_ m: String) -> DefenderError { DefenderError(kind: .policy(m)) }
    static func auditLog(_ m: String) -> DefenderError { DefenderError(kind: .auditLog(m)) }

    package var description: String {
        switch kind {
        case .usage(let m): return m
        case .policy(let m): return "policy: \(m)"
        case .auditLog(let m): return "audit log: \(m)"
        }
    }
}

/// What a caller adds to a defender run: the console uplink of the full `scute defend`.
package struct DefenderHooks: Sendable {
    /// Called with the live policy before the app starts (it may wait for the console's first policy, as the
    /// startup mode says) and kept to replace the policy while the app runs; it may refuse to start the app.
    package var prepare: (@Sendable (LivePolicy) -> StartupDecision)?
    /// Gets every audit the defender records, besides the audit log.
    package var audits: (@Sendable ([AuditEvent]) -> Void)?
    /// Whether audits also go to standard error when no audit log is given.
    package var auditsToStandardError = true
    /// Audits the link found before the app started (its state folder is writable by the app, ...).
    package var startupAudits: [AuditEvent] = []
    /// Gets every compliance and inventory report the defender makes.
    package var reports: (@Sendable (DefenderReport) -> Void)?
    /// The console's compliance settings, which the link keeps current (nil: every built-in check).
    package var compliance: LiveCompliance?
    /// Reads rpmdb.sqlite (rpm 4.16+ images) for 448, the inventory and modified binaries; the executables give
    /// the system SQLite's (ScuteScanSQLite), which this target does not link.
    package var rpmHeaderSource: (any RpmHeaderSource)?

    package init(
        prepare: (@Sendable (LivePolicy) -> StartupDecision)? = nil,
        audits: (@Sendable ([AuditEvent]) -> Void)? = nil,
        auditsToStandardError: Bool = true,
        startupAudits: [AuditEvent] = [],
        reports: (@Sendable (DefenderReport) -> Void)? = nil,
        compliance: LiveCompliance? = nil
    ) {
        self.startupAudits = startupAudits
        self.reports = reports
        self.compliance = compliance
        self.prepare = prepare
        self.audits = audits
        self.auditsToStandardError = auditsToStandardError
    }
}

/// Runs the app under the defender and returns the exit code the defender should exit with.
package enum Defender {
    /// Signals a PID 1 passes on to the app.
    package static let forwardedSignals: [Int32] = [SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH]

    /// What must hold before the defender starts any thread: it is not dumpable (no other process of its
    /// user can open its /proc entries, read or write its memory, or take its descriptors without
    /// CAP_SYS_PTRACE, which the app does not get), and the signals it forwards, and SIGCHLD, are blocked
    /// in every thread it will start (the tracer waits for SIGCHLD on a signalfd while it holds calls).
    package static func prepareProcess() {
        _ = scute_set_dumpable(0)
        _ = scute_block_signals(forwardedMask | 1 << UInt64(SIGCHLD - 1))
    }

    static var forwardedMask: UInt64 { forwardedSignals.reduce(UInt64(0)) { $0 | 1 << UInt64($1 - 1) } }

    /// Variables that carry secrets for the defender and none for the app: they are not passed on.
    package static func isDefenderSecret(_ name: String) -> Bool {
        guard name.hasPrefix("SCUTE_") else { return false }
        return ["BUNDLE", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL", "KEY"].contains { name.contains($0) }
    }

    /// The app's environment: the defender's, less its secrets.
    package static func appEnvironment(_ list: [String]) -> [String] {
        list.filter { entry in
            let name = entry.split(separator: "=", maxSplits: 1).first.map(String.init) ?? entry
            return !isDefenderSecret(name)
        }
    }

    /// The process environment as a dictionary and as KEY=VALUE strings.
    package static func environment() -> (dictionary: [String: String], list: [String]) {
        var list: [String] = []
        var dict: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            list.append(s)
            if let eq = s.firstIndex(of: "=") { dict[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return (dict, list)
    }

    /// Loads a policy file (JSON or YAML).
    package static func loadPolicy(_ path: String) throws(DefenderError) -> Policy {
        guard let bytes = Sys.readFile(path, limit: 16 << 20) else {
            throw .policy("cannot read \(path): \(SystemError.last("open").description)")
        }
        do {
            return try Policy.parse(text: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw .policy("\(path): \(error.description)")
        }
    }

    /// The whole defender: policy, audit sink, DNS forwarder, signal forwarding, the tracer thread.
    package static func run(_ options: DefenderOptions, hooks: DefenderHooks = DefenderHooks()) -> Int32 {
        prepareProcess()
        var spawnUser: SpawnIdentity.User?
        if let spec = options.user {
            switch SpawnIdentity.resolveUser(spec, passwd: Sys.readFile("/etc/passwd"), group: Sys.readFile("/etc/group")) {
            case .success(let u): spawnUser = u
            case .failure(let e):
                Sys.warn("scute: --user \(spec): \(e.message); not starting the app")
                return 2
            }
            if getuid() != 0 && spawnUser?.uid != getuid() {
                Sys.warn("scute: --user \(spec): the defender is not root and cannot switch users; not starting the app")
                return 2
            }
        }
        var policy = Policy()
        if let path = options.policyPath {
            do {
                policy = try loadPolicy(path)
            } catch {
                // The app must not run unprotected by accident.
                Sys.warn("scute: \(error.description); not starting the app")
                return 2
            }
        }
        var auditFD: Int32 = hooks.auditsToStandardError ? 2 : -1
        if let log = options.auditLog {
            if log == "-" {
                auditFD = 1
            } else {
                auditFD = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o640)
                if auditFD < 0 {
                    Sys.warn("scute: audit log: cannot open \(log): \(SystemError.last("open").description)")
                    return 2
                }
            }
        }
        let sink = AuditSink(
            fd: auditFD,
            identity: options.identity,
            forensicsCapacity: options.forensicsPath == nil ? 0 : 4096,
            listener: hooks.audits
        )
        for event in hooks.startupAudits { sink.record(event) }
        let live = LivePolicy(policy: policy, identity: options.identity)
        if case .refuse(let reason, let status) = hooks.prepare?(live) ?? .start {
            sink.flush(force: true)
            Sys.warn("scute: \(reason); not starting the app")
            return status
        }
        let rule = live.rule
        let learned = LearnedNames()

        let mask = forwardedMask
        if getpid() != 1 { _ = scute_set_child_subreaper() }

        let resolvers =
            options.trustedResolvers.isEmpty ? ResolverConfiguration.nameservers(Sys.readFile("/etc/resolv.conf")) : options.trustedResolvers
        let forwarder =
            options.redirectDNS
            ? DNSForwarder(policy: live, learned: learned, audit: sink, trustedResolvers: resolvers.compactMap { IPAddress($0) }) : nil
        var env = appEnvironment(environment().list)
        if let home = spawnUser?.home, !home.isEmpty {
            // The container started as root (HOME=/root); the app's user has its own, as su and gosu give it.
            let current = env.first { $0.hasPrefix("HOME=") }
            if current == nil || current == "HOME=/root" {
                env.removeAll { $0.hasPrefix("HOME=") }
                env.append("HOME=" + home)
            }
        }
        let compliance = options.scanRoot.map { root in
            var settings = ComplianceMonitor.Settings()
            settings.root = root
            settings.rpmHeaderSource = hooks.rpmHeaderSource
            if let seconds = options.scanInterval { settings.writableInterval = Int64(seconds) * 1_000_000_000 }
            let reportPath = options.complianceReport
            let forward = hooks.reports
            return ComplianceMonitor(settings: settings, environment: env, compliance: hooks.compliance) { report in
                forward?(report)
                if report.kind == .compliance, let reportPath { writeReport(report.json, to: reportPath) }
            }
        }
        let supervisor = Supervisor(
            configuration: SupervisorConfiguration(
                command: options.command,
                environment: env,
                rule: rule,
                onTraceFailure: options.onTraceFailure,
                identity: SpawnIdentity(keep: options.keepCapabilities, user: spawnUser)
            ),
            audit: sink,
            learned: learned,
            dns: forwarder,
            policy: live,
            compliance: compliance
        )
        let result = ResultBox()
        let tracer = PosixThread {
            result.code = supervisor.run()
        }
        tracer.start()
        if let compliance, !compliance.start() {
            sink.record(
                AuditEvent(
                    time: Sys.now(),
                    type: .defender,
                    effect: .alert,
                    attackType: .checkFailed,
                    msg: "the compliance scan could not start: no thread"
                )
            )
        }
        PosixThread {
            while true {
                let sig = scute_sigwait(mask)
                guard sig > 0 else { continue }
                let pid = supervisor.appPid.load(ordering: .acquiring)
                if pid > 0 { kill(pid, sig) }
            }
        }.start()
        PosixThread {
            while true {
                sleep(1)
                sink.flush()
            }
        }.start()
        tracer.join()
        sink.flush(force: true)
        if let path = options.forensicsPath {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
            if fd >= 0 {
                Sys.writeAll(fd, Array(sink.forensicRecords.map(\.jsonLine).joined().utf8))
                close(fd)
            }
        }
        return result.code
    }
}

/// Replaces a report file atomically (a reader never sees half of one).
private func writeReport(_ bytes: [UInt8], to path: String) {
    let temporary = path + ".tmp"
    let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
    guard fd >= 0 else { return }
    Sys.writeAll(fd, bytes + [10])
    close(fd)
    _ = rename(temporary, path)
}

private final class ResultBox: @unchecked Sendable {
    var code: Int32 = 1
}
