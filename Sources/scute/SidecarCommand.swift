import ArgumentParser
import ScuteBundle
import ScuteSidecar

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
            and runs until SIGTERM or SIGINT. The task's health check is `scute sidecar health`.
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
        FileIO.printError("scute sidecar: defender ready in \(volume)")
        let signal = termination.wait()
        FileIO.printError("scute sidecar: stopping on signal \(signal)")
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
