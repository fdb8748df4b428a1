import CScuteTask

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Runs a task on this machine the way Fargate would: one network namespace for the task with the metadata
/// endpoint in it, each container in its own mount, PID and IPC namespaces on a copy-on-write root, started
/// in `dependsOn` order, health-checked, logged line by line with its name, and stopped as ECS stops a task.
/// `run()` blocks until the task has stopped and everything it made is gone, and returns the exit status.
package final class TaskRunner {
    struct Stream {
        var fd: Int32
        var buffer = LineBuffer()
    }

    struct Running {
        var process: SpawnedProcess
        var exited = false
    }

    let plan: TaskPlan
    let output: any TaskOutput
    let stopSignal: TaskStopSignal
    /// The task's status as the metadata endpoint shows it.
    package let state: MetadataState
    var machine: TaskStateMachine
    let clock = ContinuousClock()
    let startedAt: ContinuousClock.Instant
    var network: TaskNetwork?
    var server: MetadataServer?
    var ports: TaskPorts?
    var running: [Int: Running] = [:]
    var checks: [Int: SpawnedProcess] = [:]
    var streams: [(container: Int, stream: TaskStream, state: Stream)] = []
    var stopRequests = 0

    package init(plan: TaskPlan, output: any TaskOutput, stopSignal: TaskStopSignal) {
        self.plan = plan
        self.output = output
        self.stopSignal = stopSignal
        self.machine = TaskStateMachine(definition: plan.definition)
        self.state = MetadataState(TaskStatus(plan: plan, now: System.timestamp()))
        self.startedAt = clock.now
    }

    /// Prepares a run: parses nothing, only resolves `definition` with `configuration` against this host.
    package static func plan(definition: TaskDefinition, configuration: TaskRunConfiguration) throws(TaskError) -> TaskPlan {
        let identity = TaskIdentity.random(configuration: configuration, containerCount: definition.containers.count)
        let staging = "\(configuration.stateDirectory)/scute-task-\(identity.taskID)"
        return try TaskPlan.make(
            definition: definition,
            configuration: configuration,
            identity: identity,
            staging: staging,
            readFile: System.readFile,
            isDirectory: System.isDirectory,
            isFile: System.isFile
        )
    }

    /// Runs the task to its end and returns its exit status: the first essential container's to exit
    /// (128 + N for a signal), or 125 when an essential container could not start.
    package func run() throws(TaskError) -> Int32 {
        defer { cleanUp() }
        try prepareHost()
        let network = try TaskNetwork(
            hostname: plan.configuration.hostname,
            address: plan.configuration.metadataAddress,
            port: plan.configuration.metadataPort
        )
        self.network = network
        server = try MetadataServer(listenFD: network.listenFD, state: state)
        if !plan.configuration.forwards.isEmpty || !plan.configuration.publishes.isEmpty {
            ports = try TaskPorts(configuration: plan.configuration, netFD: network.netFD)
        }
        state.update { $0.knownStatus = "RUNNING" }
        for warning in plan.warnings { output.event("warning: \(warning)") }
        output.event("task \(plan.identity.taskARN) (\(plan.definition.family):\(plan.definition.revision)) starting")
        return try loop()
    }

    /// The task's folder: one folder per container (its overlay's layer and root mount points), the
    /// task-managed volumes, and the files every container shares.
    private func prepareHost() throws(TaskError) {
        try System.makeDirectories(plan.staging, mode: 0o700)
        for index in plan.containers.indices {
            try System.makeDirectories(containerFolder(index) + "/layer")
            try System.makeDirectories(containerFolder(index) + "/root")
        }
        for folder in plan.volumeFolders { try System.makeDirectories(folder) }
        try System.makeDirectories(plan.etcFolder)
        let hostname = plan.configuration.hostname
        try System.writeFile(
            plan.etcFolder + "/hosts",
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.0.1\t\(hostname)\n"
        )
        try System.writeFile(plan.etcFolder + "/hostname", hostname + "\n")
        try System.writeFile(plan.etcFolder + "/resolv.conf", System.readFile("/etc/resolv.conf") ?? "nameserver 127.0.0.1\n")
    }

    func containerFolder(_ index: Int) -> String { "\(plan.staging)/containers/\(index)" }

    /// Kills whatever still runs (only after an error), stops the endpoint and removes the task's folder.
    private func cleanUp() {
        for (_, check) in checks {
            _ = scute_task_signal(check.pidFD, SIGKILL)
        }
        for (_, container) in running where !container.exited {
            _ = scute_task_signal(container.process.pidFD, SIGKILL)
        }
        for (_, check) in checks { waitForExit(check) }
        for (_, container) in running where !container.exited { waitForExit(container.process) }
        for (_, container) in running { container.process.closeDescriptors() }
        checks.removeAll()
        running.removeAll()
        for entry in streams { close(entry.state.fd) }
        streams.removeAll()
        ports?.shutdown()
        ports = nil
        server?.shutdown()
        server = nil
        network = nil
        System.removeTree(plan.staging)
    }
}
