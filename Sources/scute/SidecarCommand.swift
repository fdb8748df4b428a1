import ArgumentParser
import Foundation
import Logging
import ScuteBundle
import ScuteRelay
import ScuteSidecar
import Synchronization

struct SidecarCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sidecar",
        abstract: "Run the task's defender sidecar: put the defender bundle into the shared volume, then stay up.",
        subcommands: [SidecarRun.self, SidecarHealth.self],
        defaultSubcommand: SidecarRun.self
    )
}

struct SidecarRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Put the defender bundle into the shared volume, mark it ready, and run until SIGTERM or SIGINT (the default).",
        discussion: """
            Unpacks the bundle into the volume (so <volume>/defender exists), writes <volume>/.scute-ready, \
            and runs until SIGTERM or SIGINT. The task's health check is `scute sidecar health`. With \
            SCUTE_INSTALL_BUNDLE set, it also relays between the console and the defenders in the task: they \
            connect to <volume>/channel.sock, and each gets its own console channel through the sidecar.
            """
    )

    @Option(help: "The volume shared with the app containers.")
    var volume: String = Sidecar.defaultVolume

    @Option(help: "The defender bundle to unpack.")
    var bundle: String = Sidecar.defaultBundle

    func run() throws {
        let termination = TerminationSignal.install()
        do {
            try Sidecar(volume: volume, bundle: bundle).prepare()
        } catch {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let relay = try startRelay()
        FileIO.printError("scute sidecar: defender ready in \(volume)")
        let signal = termination.wait()
        FileIO.printError("scute sidecar: stopping on signal \(signal)")
        relay?.stop()
    }

    /// Starts the relay when the environment has an install bundle.
    private func startRelay() throws -> RelayRunner? {
        let env = ProcessInfo.processInfo.environment
        let configuration: RelayConfiguration?
        do {
            configuration = try RelayConfiguration.fromEnvironment(env, volume: volume)
        } catch {
            FileIO.printError("error: \(error.description)")
            throw ExitCode(1)
        }
        guard var configuration else { return nil }
        // The task's identity as Fargate gives it: the console shows the task ID as each defender's host, and
        // collections can name task families. SCUTE_TASK_ARN / SCUTE_TASK_FAMILY, when set, win.
        if let task = TaskMetadata.fetch(environment: env) {
            if configuration.taskARN.isEmpty { configuration.taskARN = task.taskARN }
            if configuration.taskFamily.isEmpty { configuration.taskFamily = task.family }
            FileIO.printError("scute sidecar: task \(task.taskID) (\(task.family):\(task.revision ?? "?"))")
        }
        var logger = Logger(label: "scute.sidecar.relay")
        logger.logLevel = env["SCUTE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        return RelayRunner.start(Relay(configuration: configuration, logger: logger))
    }
}

/// The relay running beside the blocking signal wait of `scute sidecar run`.
private final class RelayRunner: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let finished = Mutex(false)

    /// Starts `relay` on the concurrency pool (the calling thread goes on to wait for a signal).
    static func start(_ relay: Relay) -> RelayRunner {
        let runner = RelayRunner()
        let task = Task {
            do {
                try await relay.run()
            } catch {
                FileIO.printError("scute sidecar: relay stopped: \(error)")
            }
            runner.finished.withLock { $0 = true }
        }
        runner.task.withLock { $0 = task }
        return runner
    }

    /// Cancels the relay and waits (bounded) for it to close its connections.
    func stop() {
        task.withLock { $0?.cancel() }
        for _ in 0..<60 where !finished.withLock({ $0 }) { usleep(50_000) }
    }
}

struct SidecarHealth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Exit 0 when the defender is in the volume and the sidecar marked it ready, else 1 with the reason."
    )

    @Option(help: "The volume shared with the app containers.")
    var volume: String = Sidecar.defaultVolume

    func run() throws {
        if let problem = Sidecar.healthProblem(volume: volume) {
            FileIO.printError("unhealthy: \(problem)")
            throw ExitCode(1)
        }
    }
}
