import ArgumentParser
import Glibc
import ScuteDefender
import ScuteDefenderUplink
import ScuteScanSQLite

/// Options shared by `scute defend` and its alias `scute rasp`.
struct DefendOptions: ParsableArguments {
    @Option(help: "Policy file (JSON). Without it, everything is traced and allowed.")
    var policy: String?

    @Option(name: .customLong("audit-log"), help: "Where audits go as JSON lines: a file, or - for standard output (default: standard error).")
    var auditLog: String?

    @Option(help: "Write a bounded record of every launch, DNS query and connection to this file at exit.")
    var forensics: String?

    @Option(name: .customLong("on-trace-failure"), help: "open: run the app unprotected with a critical audit; closed: refuse to start it.")
    var onTraceFailure: String?

    @Option(name: .customLong("app-id"), help: "App ID for collections and audits (default: $SCUTE_APP_ID).")
    var appID: String?

    @Flag(name: .customLong("no-dns-redirect"), help: "Do not redirect the app's port-53 traffic to the DNS forwarder.")
    var noDNSRedirect = false

    @Option(
        name: .customLong("keep-capability"),
        help: "A capability the app keeps (the defender drops SYS_PTRACE, NET_RAW, NET_ADMIN, SYS_ADMIN, SYS_MODULE, SYS_RAWIO, BPF, PERFMON)."
    )
    var keepCapability: [String] = []

    @Option(help: "USER[:GROUP] to run the app as, names from the image's /etc/passwd and /etc/group (the defender stays root).")
    var user: String?

    @Option(name: .customLong("dns-resolver"), help: "A DNS server whose answers count for name-based rules (default: /etc/resolv.conf).")
    var dnsResolver: [String] = []

    @Option(
        name: .customLong("startup-mode"),
        help: """
            availability: start the app at once on the cached, file or default policy; security: only once the console's \
            policy has arrived (default: $SCUTE_STARTUP_MODE, else availability).
            """
    )
    var startupMode: String?

    func run(_ command: [String]) throws -> Never {
        var args: [String] = []
        if let policy { args += ["--policy", policy] }
        if let auditLog { args += ["--audit-log", auditLog] }
        if let forensics { args += ["--forensics", forensics] }
        if let onTraceFailure { args += ["--on-trace-failure", onTraceFailure] }
        if let appID { args += ["--app-id", appID] }
        if noDNSRedirect { args.append("--no-dns-redirect") }
        for c in keepCapability { args += ["--keep-capability", c] }
        if let user { args += ["--user", user] }
        for r in dnsResolver { args += ["--dns-resolver", r] }
        if let startupMode { args += ["--startup-mode", startupMode] }
        // Before anything starts a thread: no thread may take the SIGCHLD the tracer waits for, and the
        // app must not be able to read this process.
        Defender.prepareProcess()
        let cmd = command.first == "--" ? Array(command.dropFirst()) : command
        let environment = Defender.environment().dictionary
        let options: DefenderOptions
        do {
            options = try DefenderOptions.parse(args + ["--"] + cmd, environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        let link: DefenderLink.Setup
        do {
            link = try DefenderLink.setup(environment: environment, options: options)
        } catch {
            FileIO.printError("scute: \(error.description); not starting the app")
            Glibc.exit(2)
        }
        var hooks = link.hooks
        hooks.rpmHeaderSource = SystemRpmHeaderSource()
        let code = Defender.run(options, hooks: hooks)
        link.drain()
        Glibc.exit(code)
    }
}

struct Defend: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run an app under the defender: trace its whole process tree and enforce the policy on launches, DNS and connections."
    )

    @OptionGroup var options: DefendOptions

    @Argument(parsing: .postTerminator, help: "-- and the app's command and arguments.")
    var command: [String] = []

    func run() throws { try options.run(command) }
}

struct Rasp: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Alias of `scute defend`; the `--` before the command is optional.")

    @OptionGroup var options: DefendOptions

    @Argument(parsing: .captureForPassthrough, help: "The app's command and arguments.")
    var command: [String] = []

    func run() throws { try options.run(command) }
}
