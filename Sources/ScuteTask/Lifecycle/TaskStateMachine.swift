/// The lifecycle of a task's containers as ECS drives it, without processes or clocks: fed what happened and
/// when (time since the task started), it answers with what to do. Containers start once their `dependsOn`
/// conditions hold; health checks run on their interval; the first essential container to exit stops the
/// task, dependents before their dependencies, each with SIGTERM and, after its stopTimeout, SIGKILL.
package struct TaskStateMachine: Sendable {
    package enum Action: Equatable, Sendable {
        case start(Int)
        case runHealthCheck(Int)
        /// The running health check passed its timeout: stop it (it counts as failed).
        case cancelHealthCheck(Int)
        /// Send SIGTERM.
        case terminate(Int)
        /// Send SIGKILL.
        case kill(Int)
        /// Something worth telling the user.
        case report(String)
        /// Every container is done: exit with this status.
        case finish(Int32)
    }

    package enum Phase: Equatable, Sendable {
        case waiting
        case starting
        case running
        case exited(Int32)
        case notStarted
    }

    package enum Health: String, Sendable {
        case unknown = "UNKNOWN"
        case healthy = "HEALTHY"
        case unhealthy = "UNHEALTHY"
    }

    struct Slot: Sendable {
        let name: String
        let essential: Bool
        let dependencies: [(index: Int, condition: Dependency.Condition)]
        let healthCheck: HealthCheck?
        let stopTimeout: Duration
        let startTimeout: Duration
        var phase: Phase = .waiting
        var startedAt: Duration?
        var health: Health = .unknown
        var failures = 0
        var nextCheck: Duration?
        /// Set while a health check runs.
        var checkDeadline: Duration?
        var checkCancelled = false
        var terminated = false
        var killAt: Duration?
        var killed = false
    }

    /// The status of a task that stopped before its essential container could run.
    package static let notStartedStatus: Int32 = 125

    var slots: [Slot]
    var stopping = false
    var finished = false
    var reports: [String] = []
    /// The exit status of the first essential container that exited (or could not start).
    package internal(set) var exitStatus: Int32?
    package private(set) var stopReason: String?

    package init(definition: TaskDefinition) {
        let indexes = Dictionary(uniqueKeysWithValues: definition.containers.enumerated().map { ($1.name, $0) })
        slots = definition.containers.map { container in
            Slot(
                name: container.name,
                essential: container.essential,
                dependencies: container.dependsOn.compactMap { dependency in
                    indexes[dependency.containerName].map { (index: $0, condition: dependency.condition) }
                },
                healthCheck: container.healthCheck,
                stopTimeout: .seconds(min(container.stopTimeout ?? 30, 120)),
                startTimeout: .seconds(container.startTimeout ?? 180)
            )
        }
    }

    package var isStopping: Bool { stopping }
    package func phase(_ index: Int) -> Phase { slots[index].phase }
    package func health(_ index: Int) -> Health { slots[index].health }
    package func isHealthCheckRunning(_ index: Int) -> Bool { slots[index].checkDeadline != nil }

    // MARK: - events

    /// The container's process started.
    package mutating func started(_ index: Int, at now: Duration) {
        slots[index].phase = .running
        slots[index].startedAt = now
        if let check = slots[index].healthCheck { slots[index].nextCheck = now + .seconds(check.interval) }
    }

    /// The container's process exited with `status` (or could not be started, with the status it gets).
    package mutating func exited(_ index: Int, status: Int32, at now: Duration) {
        slots[index].phase = .exited(status)
        reports.append("container \(slots[index].name) exited with status \(status)")
        guard slots[index].essential else { return }
        if exitStatus == nil { exitStatus = status }
        beginStop("essential container \(slots[index].name) exited")
    }

    /// A health check ended; a cancelled check counts as failed.
    package mutating func healthCheckFinished(_ index: Int, passed: Bool, at now: Duration) {
        slots[index].checkDeadline = nil
        slots[index].checkCancelled = false
        guard slots[index].phase == .running, let check = slots[index].healthCheck else { return }
        slots[index].nextCheck = now + .seconds(check.interval)
        if passed {
            slots[index].failures = 0
            setHealth(index, .healthy)
            return
        }
        // Failures during the start period do not count, as in Docker and ECS.
        if let startedAt = slots[index].startedAt, now - startedAt < .seconds(check.startPeriod) { return }
        slots[index].failures += 1
        if slots[index].failures >= check.retries { setHealth(index, .unhealthy) }
    }

    /// Stop the task (Ctrl-C, SIGTERM).
    package mutating func requestStop(reason: String) {
        beginStop(reason)
    }

    private mutating func setHealth(_ index: Int, _ health: Health) {
        guard slots[index].health != health else { return }
        slots[index].health = health
        reports.append("container \(slots[index].name) is \(health.rawValue)")
    }

    mutating func beginStop(_ reason: String) {
        guard !stopping else { return }
        stopping = true
        stopReason = reason
        reports.append("stopping the task: \(reason)")
    }
}
