import ArgumentParser
import Foundation
import Logging
import NIOCore
import ScuteBundle
import ScuteRelay
import ScuteSidecar
import ScuteWAASProxy
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
            connect to <volume>/channel.sock, and their conversations share one console connection for the task \
            (SCUTE_RELAY_MULTIPLEX=0: one per defender).
            """
    )

    @Option(help: "The volume shared with the app containers.")
    var volume: String = Sidecar.defaultVolume

    @Option(help: "The defender bundle to unpack.")
    var bundle: String = Sidecar.defaultBundle

    func run() throws {
        let termination = TerminationSignal.install()
        let sidecar = Sidecar(volume: volume, bundle: bundle)
        do {
            try sidecar.prepare(markReady: false)
        } catch {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let relay = try startRelay()
        let waas = try startWAAS(relay: relay?.relay)
        // Ready (the health check passes and the app containers start) only once the relay's socket is there:
        // a defender that started before it would run without its console.
        if let relay, !relay.waitListening(timeout: .seconds(10)) {
            FileIO.printError("error: the relay's socket \(relay.relay.configuration.socketPath) did not appear within 10 seconds")
            waas?.stop()
            relay.stop()
            throw ExitCode(1)
        }
        do {
            try sidecar.markReady()
        } catch {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
        FileIO.printError("scute sidecar: defender ready in \(volume)")
        let signal = termination.wait()
        FileIO.printError("scute sidecar: stopping on signal \(signal)")
        waas?.stop()
        relay?.stop()
    }

    /// Starts the web application firewall when the environment asks for it (SCUTE_WAAS).
    private func startWAAS(relay: Relay?) throws -> WAASRunner? {
        let env = ProcessInfo.processInfo.environment
        guard let text = env["SCUTE_WAAS"], !text.isEmpty else { return nil }
        var logger = Logger(label: "scute.sidecar.waas")
        logger.logLevel = env["SCUTE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let started = WAASRunner()
        let outcome = Mutex<Result<[WAASProxy], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task { [logger] in
            do {
                let proxies = try await SidecarWAAS.start(env, relay: relay, logger: logger)
                outcome.withLock { $0 = .success(proxies) }
            } catch {
                outcome.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        switch outcome.withLock({ $0 }) {
        case .success(let proxies)?:
            started.proxies.withLock { $0 = proxies }
            return started
        case .failure(let error as CLIError)?:
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        case .failure(let error)?:
            FileIO.printError("error: waas: \(error)")
            throw ExitCode(1)
        case nil:
            return nil
        }
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

/// The firewall's proxies running beside the blocking signal wait of `scute sidecar run`.
private final class WAASRunner: Sendable {
    let proxies = Mutex<[WAASProxy]>([])

    /// Stops accepting, lets requests in flight finish (bounded), and closes the proxies.
    func stop() {
        let proxies = self.proxies.withLock { $0 }
        let done = DispatchSemaphore(value: 0)
        Task {
            for p in proxies { await p.shutdown(grace: .seconds(5)) }
            done.signal()
        }
        _ = done.wait(timeout: .now() + 6)
    }
}

/// The relay running beside the blocking signal wait of `scute sidecar run`.
private final class RelayRunner: Sendable {
    let relay: Relay
    private let task = Mutex<Task<Void, Never>?>(nil)
    private let finished = Mutex(false)

    private init(relay: Relay) { self.relay = relay }

    /// Starts `relay` on the concurrency pool (the calling thread goes on to wait for a signal).
    static func start(_ relay: Relay) -> RelayRunner {
        let runner = RelayRunner(relay: relay)
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

    /// Waits until the relay's socket exists (or the relay stopped); false after `timeout`.
    func waitListening(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: relay.configuration.socketPath) { return true }
            if finished.withLock({ $0 }) { return false }
            usleep(10_000)
        }
        return false
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
