import ArgumentParser
import ScuteTask

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// `scute task`: run ECS task definitions on this machine.
struct TaskCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Run an ECS task definition on this machine the way Fargate would.",
        subcommands: [TaskRunCommand.self]
    )
}

/// `scute task run TASKDEF.json`: the task's containers as namespaced process trees, until it stops.
struct TaskRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a (protected or plain) ECS task definition locally, as Fargate would run it (needs root).",
        discussion: """
            Each container runs in its own mount, PID and IPC namespaces, on a copy-on-write view of its root \
            (--rootfs, else the host's root), all of them in one network namespace with the task metadata \
            endpoint v4 at 169.254.170.2. Containers start in dependsOn order (START, COMPLETE, SUCCESS, \
            HEALTHY); the first essential container to exit stops the task, dependents first, each with SIGTERM \
            and SIGKILL after its stopTimeout. Ctrl-C stops the task the same way (twice: at once). Output lines \
            are prefixed with the container's name. The exit status is the essential container's. \
            Options keyed by KEY take a container name or an image.
            """
    )

    @Argument(help: "The task definition: RegisterTaskDefinition JSON or `aws ecs describe-task-definition` output.")
    var taskDefinition: String

    @Option(name: .customLong("rootfs"), help: "KEY=DIR: the root folder standing in for the image (repeatable).")
    var rootfs: [String] = []

    @Option(name: .customLong("env-file"), help: "NAME=FILE: KEY=VALUE lines giving container NAME's secrets (repeatable).")
    var envFile: [String] = []

    @Option(
        name: .customLong("image-config"),
        help: "KEY=FILE: `docker image inspect` or OCI config JSON: the image's Entrypoint, Cmd, Env, WorkingDir, User (repeatable)."
    )
    var imageConfig: [String] = []

    @Option(
        name: .customLong("image-command"),
        help: "IMAGE=COMMAND: the image's ENTRYPOINT as a command line, e.g. a local binary standing in for the image (repeatable)."
    )
    var imageCommand: [String] = []

    @Option(
        name: .customLong("image-file"),
        help: "KEY=HOST:PATH: put the host file or folder HOST into the containers at PATH, read-only (repeatable)."
    )
    var imageFile: [String] = []

    @Option(
        name: .customLong("forward"),
        help: "[HOST:]PORT: the containers reach the host's HOST:PORT (default 127.0.0.1) at 127.0.0.1:PORT, e.g. the console's channel (repeatable)."
    )
    var forward: [String] = []

    @Option(name: .customLong("publish"), help: "HOSTPORT:PORT: the host's 127.0.0.1:HOSTPORT leads to the task's port PORT (repeatable).")
    var publish: [String] = []

    @Option(help: "The cluster name in the task's ARN (a placeholder).")
    var cluster = "default"

    @Option(help: "The region in the ARNs and AWS_REGION (a placeholder).")
    var region = "us-east-1"

    @Option(help: "The account in the ARNs (a placeholder).")
    var account = "000000000000"

    @Option(help: "The task's host name.")
    var hostname = "ip-127-0-0-1"

    @Option(name: .customLong("state-dir"), help: "Where the task's private folder (volumes, container layers) is made.")
    var stateDirectory = "/tmp"

    func run() throws {
        guard geteuid() == 0 else {
            FileIO.printError("error: scute task run needs root (namespaces and mounts)")
            throw ExitCode(1)
        }
        let status: Int32
        do {
            let definition = try TaskDefinition.parse(try FileIO.readText(taskDefinition))
            let plan = try TaskRunner.plan(definition: definition, configuration: try configuration())
            let stop = TaskStopSignal()
            stop.catchSignals()
            defer { stop.releaseSignals() }
            status = try TaskRunner(plan: plan, output: StandardTaskOutput(), stopSignal: stop).run()
        } catch let error as TaskError {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        } catch let error as FileIO.Failure {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
        throw ExitCode(status)
    }

    private func configuration() throws -> TaskRunConfiguration {
        var configuration = TaskRunConfiguration()
        configuration.cluster = cluster
        configuration.region = region
        configuration.account = account
        configuration.hostname = hostname
        configuration.stateDirectory = stateDirectory
        for spec in rootfs {
            let (key, path) = try Self.split(spec, option: "--rootfs", form: "KEY=DIR")
            configuration.roots[key] = Self.absolute(path)
        }
        for spec in envFile {
            let (name, path) = try Self.split(spec, option: "--env-file", form: "NAME=FILE")
            configuration.environmentFiles[name] = try EnvironmentFile.parse(try FileIO.readText(path), source: path)
        }
        for spec in imageConfig {
            let (key, path) = try Self.split(spec, option: "--image-config", form: "KEY=FILE")
            configuration.imageConfigurations[key] = try ImageConfiguration.parse(try FileIO.readText(path), source: path)
        }
        for spec in imageCommand {
            let (key, command) = try Self.split(spec, option: "--image-command", form: "IMAGE=COMMAND")
            configuration.imageCommands[key] = command.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        }
        for spec in imageFile {
            let (key, pair) = try Self.split(spec, option: "--image-file", form: "KEY=HOST:PATH")
            guard let colon = pair.lastIndex(of: ":"), colon != pair.startIndex, pair.index(after: colon) != pair.endIndex else {
                throw TaskError.option("--image-file \(spec): expected KEY=HOST:PATH")
            }
            let file = TaskRunConfiguration.ImageFile(
                hostPath: Self.absolute(String(pair[..<colon])),
                containerPath: String(pair[pair.index(after: colon)...])
            )
            configuration.imageFiles[key, default: []].append(file)
        }
        for spec in forward {
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, let port = Self.port(parts.last ?? ""), parts.count == 1 || !parts[0].isEmpty else {
                throw TaskError.option("--forward \(spec): expected [HOST:]PORT with PORT 1-65535")
            }
            configuration.forwards.append(.init(hostAddress: parts.count == 2 ? parts[0] : "127.0.0.1", port: port))
        }
        for spec in publish {
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 2, let hostPort = Self.port(parts[0]), let port = Self.port(parts[1]) else {
                throw TaskError.option("--publish \(spec): expected HOSTPORT:PORT, both 1-65535")
            }
            configuration.publishes.append(.init(hostPort: hostPort, taskPort: port))
        }
        return configuration
    }

    private static func port(_ text: String) -> UInt16? {
        guard let value = UInt16(text), value > 0 else { return nil }
        return value
    }

    private static func split(_ spec: String, option: String, form: String) throws(TaskError) -> (String, String) {
        guard let equals = spec.firstIndex(of: "="), equals != spec.startIndex, spec.index(after: equals) != spec.endIndex else {
            throw .option("\(option) \(spec): expected \(form)")
        }
        return (String(spec[..<equals]), String(spec[spec.index(after: equals)...]))
    }

    /// A path made absolute against the current folder (the containers see the host through absolute paths).
    private static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        guard let cwd = getcwd(nil, 0) else { return path }
        defer { free(cwd) }
        return String(cString: cwd) + "/" + path
    }
}
