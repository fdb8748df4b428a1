import Glibc
import Logging
import ScuteCore
import ScuteDefender
import ScuteUplink
import Synchronization

/// How a defender reaches the console, chosen from the environment; the same for the full `scute defend`
/// and the static `/scute/defender`:
/// - a relay socket in the data folder (a task with the sidecar): the sidecar's relay, over ``LocalLink``;
/// - else SCUTE_INSTALL_BUNDLE (the Dockerfile-embed case, or a defender run by hand): its own TLS
///   WebSocket channel to the console, over ``Uplink``, with the policy cached and audits spooled on disk;
/// - else none: the policy comes from `--policy` and audits go to the audit log only.
package enum DefenderLink {
    /// The hooks to run the defender with, and what to do before exiting.
    package struct Setup: Sendable {
        package var hooks: DefenderHooks
        /// Waits (bounded) until the audits recorded so far are acknowledged.
        package var drain: @Sendable () -> Void
        /// Which link was chosen: "sidecar", "console" or "none".
        package var kind: String
    }

    /// How long the defender waits at exit for its audits to be acknowledged: by the sidecar (in the same
    /// task, quick), or by the console (over the network, and the spool keeps the rest for the next start).
    package static let defaultSidecarDrainTimeout = 3.0
    package static let defaultConsoleDrainTimeout = 5.0

    /// The setup for this environment; throws when SCUTE_INSTALL_BUNDLE is set but unusable, or when the
    /// security startup mode has no console to wait for (the defender then refuses to start the app rather
    /// than run it without the console the operator asked for).
    ///
    /// Before the app starts, the startup mode decides (``StartupWait``): availability waits for the console
    /// only as long as SCUTE_POLICY_WAIT says (by default not at all); security waits for this run's policy
    /// from the console, as long as SCUTE_POLICY_WAIT says (by default as long as it takes).
    package static func setup(environment env: [String: String], options: DefenderOptions) throws(DefenderLinkError) -> Setup {
        let policyWait = env["SCUTE_POLICY_WAIT"].flatMap { Double($0) }.flatMap { $0 >= 0 ? $0 : nil }
        if let socket = LocalLink.socketPath(environment: env) {
            let drainTimeout = seconds(env["SCUTE_DRAIN_TIMEOUT"], default: defaultSidecarDrainTimeout)
            return sidecar(socket: socket, environment: env, options: options, policyWait: policyWait, drainTimeout: drainTimeout)
        }
        if let encoded = env["SCUTE_INSTALL_BUNDLE"], !encoded.isEmpty {
            let drainTimeout = seconds(env["SCUTE_DRAIN_TIMEOUT"], default: defaultConsoleDrainTimeout)
            return try console(bundle: encoded, environment: env, options: options, policyWait: policyWait, drainTimeout: drainTimeout)
        }
        if options.startupMode == .security {
            throw DefenderLinkError(
                "security startup mode (\(StartupMode.variable)): no console to take the policy from "
                    + "(no relay socket \(env["SCUTE_DATA_FOLDER"].flatMap { $0.isEmpty ? nil : $0 } ?? "/scute")/\(LocalMessage.socketName) "
                    + "and no SCUTE_INSTALL_BUNDLE)"
            )
        }
        return Setup(hooks: DefenderHooks(), drain: {}, kind: "none")
    }

    private static func sidecar(
        socket: String,
        environment env: [String: String],
        options: DefenderOptions,
        policyWait: Double?,
        drainTimeout: Double
    ) -> Setup {
        let link = LocalLink(
            configuration: LocalLink.Configuration(socketPath: socket, hello: LocalLink.hello(environment: env, identity: options.identity))
        )
        let wait = StartupWait(mode: options.startupMode, bound: policyWait, source: "the sidecar's relay at \(socket)")
        let hooks = DefenderHooks(
            prepare: { live in
                link.start(live: live)
                switch options.startupMode {
                case .security:
                    // What the relay kept from an earlier run comes marked as cached and does not count.
                    return wait.run { link.consolePoliciesReceived > 0 }
                case .availability:
                    guard options.policyPath == nil else { return .start }
                    return wait.run { link.policiesReceived > 0 }
                }
            },
            audits: { link.record($0) },
            reports: { link.report($0) },
            compliance: link.compliance
        )
        return Setup(hooks: hooks, drain: { _ = link.drain(seconds: drainTimeout) }, kind: "sidecar")
    }

    private static func console(
        bundle encoded: String,
        environment env: [String: String],
        options: DefenderOptions,
        policyWait: Double?,
        drainTimeout: Double
    ) throws(DefenderLinkError) -> Setup {
        let bundle: InstallBundle
        do {
            bundle = try InstallBundle.decode(encoded)
        } catch {
            throw DefenderLinkError("SCUTE_INSTALL_BUNDLE: \(error.message)")
        }
        let state = StateFolder.choose(preferred: env["SCUTE_DATA_FOLDER"].flatMap { $0.isEmpty ? nil : $0 } ?? "/scute", appUser: options.user)
        let dataFolder = state.path
        let uplink: Uplink
        do {
            let hello = DefenderHello(
                defenderID: try env["SCUTE_DEFENDER_ID"].flatMap { $0.isEmpty ? nil : $0 }
                    ?? UplinkConfiguration.defenderID(dataFolder: dataFolder),
                appID: options.identity.appID,
                taskFamily: env["SCUTE_TASK_FAMILY"] ?? "",
                taskARN: env["SCUTE_TASK_ARN"] ?? "",
                container: options.identity.container,
                image: options.identity.image,
                version: defenderVersion
            )
            var logger = Logger(label: "scute.defender.uplink")
            logger.logLevel = env["SCUTE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
            let configuration = UplinkConfiguration(
                bundle: bundle,
                consoleAddress: env["SCUTE_CONSOLE"].flatMap { $0.isEmpty ? nil : $0 },
                dataFolder: dataFolder,
                hello: hello
            )
            uplink = try Uplink(configuration: configuration, logger: logger)
        } catch {
            throw DefenderLinkError("the console uplink's data folder \(dataFolder): \(error)")
        }
        let compliance = LiveCompliance()
        let received = PolicyArrival()
        let wait = StartupWait(mode: options.startupMode, bound: policyWait, source: uplink.configuration.consoleAddress)
        let hooks = DefenderHooks(
            prepare: { live in
                Task {
                    await uplink.run { update in
                        if apply(update, to: live, compliance: compliance) { received.mark() }
                    }
                }
                switch options.startupMode {
                case .security:
                    // The cached policy is an earlier run's: the app waits for this run's from the console.
                    return wait.run { received.hasArrived }
                case .availability:
                    if let cached = uplink.policy {
                        apply(cached, to: live, compliance: compliance)
                        return .start
                    }
                    guard options.policyPath == nil else { return .start }
                    return wait.run { received.hasArrived }
                }
            },
            audits: { events in
                do {
                    try uplink.send(events)
                } catch {
                    Sys.warn("scute: audit spool: \(error)")
                }
            },
            startupAudits: state.warning.map { [$0] } ?? [],
            reports: { report in
                do {
                    try uplink.report(kind: report.kind.rawValue, json: report.json)
                } catch {
                    Sys.warn("scute: \(report.kind.rawValue) report: \(error)")
                }
            },
            compliance: compliance
        )
        let drain: @Sendable () -> Void = {
            var waited = 0.0
            while !uplink.spool.pending().isEmpty && waited < drainTimeout {
                usleep(50_000)
                waited += 0.05
            }
        }
        return Setup(hooks: hooks, drain: drain, kind: "console")
    }

    /// Applies a policy from the console (or the cache); returns whether it parsed.
    @discardableResult
    static func apply(_ update: UplinkPolicy, to live: LivePolicy, compliance: LiveCompliance? = nil) -> Bool {
        // The compliance settings come with the policy; a console that sends none leaves the built-in checks.
        if let compliance, let json = update.compliance, let settings = ComplianceSettings(json: json) {
            compliance.update(settings)
        }
        do {
            live.update(try update.policy(), version: update.version)
            return true
        } catch {
            Sys.warn("scute: the console sent a policy that does not parse: \(error.description); keeping the current one")
            return false
        }
    }

    private static func seconds(_ text: String?, default value: Double) -> Double {
        guard let text, let parsed = Double(text), parsed >= 0 else { return value }
        return parsed
    }
}

/// Whether the console's policy has arrived in this run (a cached one does not count).
final class PolicyArrival: Sendable {
    private let arrived = Mutex(false)

    func mark() { arrived.withLock { $0 = true } }
    var hasArrived: Bool { arrived.withLock { $0 } }
}

/// Why the defender cannot reach the console it was configured for.
package struct DefenderLinkError: Error, CustomStringConvertible {
    package var description: String

    init(_ description: String) { self.description = description }
}
