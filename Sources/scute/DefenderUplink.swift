import Glibc
import Logging
import ScuteCore
import ScuteDefender
import ScuteUplink

/// Connects the full `scute defend` to the console when SCUTE_INSTALL_BUNDLE is set (the Dockerfile-embed
/// case, or a defender run by hand): the console's policy replaces the local one as it changes, and every
/// audit goes up the channel, spooled on disk while the console is away.
enum DefenderUplink {
    /// How long the app may wait for the console's first policy when none is cached.
    static let defaultPolicyWait: Double = 5

    static func hooks(environment env: [String: String], identity: AppIdentity, auditLogGiven: Bool) throws -> DefenderHooks? {
        guard let encoded = env["SCUTE_INSTALL_BUNDLE"], !encoded.isEmpty else { return nil }
        let bundle: InstallBundle
        do {
            bundle = try InstallBundle.decode(encoded)
        } catch {
            throw CLIError("SCUTE_INSTALL_BUNDLE: \(error.message)")
        }
        let dataFolder = writableDataFolder(env["SCUTE_DATA_FOLDER"] ?? "/scute")
        let hello = DefenderHello(
            defenderID: try UplinkConfiguration.defenderID(dataFolder: dataFolder),
            appID: identity.appID,
            taskFamily: env["SCUTE_TASK_FAMILY"] ?? "",
            taskARN: env["SCUTE_TASK_ARN"] ?? "",
            container: identity.container,
            image: identity.image,
            version: defenderVersion
        )
        var logger = Logger(label: "scute.defend.uplink")
        logger.logLevel = env["SCUTE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let configuration = UplinkConfiguration(
            bundle: bundle,
            consoleAddress: env["SCUTE_CONSOLE"].flatMap { $0.isEmpty ? nil : $0 },
            dataFolder: dataFolder,
            hello: hello
        )
        let uplink = try Uplink(configuration: configuration, logger: logger)
        let wait = env["SCUTE_POLICY_WAIT"].flatMap(Double.init) ?? defaultPolicyWait
        current = uplink
        return DefenderHooks(
            prepare: { live in
                Task {
                    await uplink.run { update in
                        apply(update, to: live)
                    }
                }
                if let cached = uplink.policy {
                    apply(cached, to: live)
                    return
                }
                // No cached policy: give the console a moment, so the app does not start on nothing.
                var waited = 0.0
                while uplink.policy == nil && waited < wait {
                    usleep(50_000)
                    waited += 0.05
                }
                if let first = uplink.policy { apply(first, to: live) }
            },
            audits: { events in
                do {
                    try uplink.send(events)
                } catch {
                    FileIO.printError("scute: audit spool: \(error)")
                }
            },
            auditsToStandardError: true
        )
    }

    /// The uplink of this process, to drain before exit.
    nonisolated(unsafe) static var current: Uplink?

    static func apply(_ update: UplinkPolicy, to live: LivePolicy) {
        do {
            live.update(try update.policy(), version: update.version)
        } catch {
            FileIO.printError("scute: the console sent a policy that does not parse: \(error.description); keeping the current one")
        }
    }

    /// Waits (bounded) until the console has acknowledged every spooled audit.
    static func drain(timeout: Double = 5) {
        guard let uplink = current else { return }
        var waited = 0.0
        while !uplink.spool.pending().isEmpty && waited < timeout {
            usleep(50_000)
            waited += 0.05
        }
    }

    /// The data folder, or a private one under /tmp when the app's user cannot write it (a read-only
    /// /scute volume, or an image whose USER is not root).
    static func writableDataFolder(_ preferred: String) -> String {
        if access(preferred, W_OK) == 0 { return preferred + "/defender" }
        return "/tmp/scute-\(getuid())"
    }
}
