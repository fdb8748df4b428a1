/// What the task metadata endpoint reports about one container.
package struct ContainerStatus: Sendable, Equatable {
    package var dockerID: String
    package var name: String
    package var image: String
    package var imageID: String
    package var containerARN: String
    package var labels: [EnvironmentVariable]
    package var desiredStatus = "RUNNING"
    package var knownStatus = "PENDING"
    /// Container `cpu` units and `memory` MiB.
    package var cpu: Int
    package var memory: Int?
    package var createdAt: String?
    package var startedAt: String?
    package var finishedAt: String?
    package var exitCode: Int32?
    /// Health status and since when, for a container with a health check.
    package var health: String?
    package var healthSince: String?
    package var logDriver: String?
    package var logOptions: [EnvironmentVariable]
    /// PID 1 of the container in the host's PID namespace, while it runs (for stats).
    package var pid: Int32?
}

/// What the task metadata endpoint reports about the task.
package struct TaskStatus: Sendable, Equatable {
    package var clusterARN: String
    package var taskARN: String
    package var family: String
    package var revision: String
    package var desiredStatus = "RUNNING"
    package var knownStatus = "PENDING"
    /// Task CPU in vCPU and memory in MiB.
    package var cpu: Double?
    package var memory: Int?
    package var pullStartedAt: String
    package var pullStoppedAt: String
    package var availabilityZone: String
    package var hostname: String
    package var containers: [ContainerStatus]

    /// The status of the container with this runtime ID.
    package func container(id: String) -> ContainerStatus? {
        containers.first { $0.dockerID == id }
    }
}

extension TaskStatus {
    /// The status at launch, before any container started.
    package init(plan: TaskPlan, now: String) {
        let definition = plan.definition
        let configuration = plan.configuration
        let identity = plan.identity
        self.init(
            clusterARN: identity.clusterARN,
            taskARN: identity.taskARN,
            family: definition.family,
            revision: String(definition.revision),
            cpu: definition.cpu.flatMap(Self.vCPU),
            memory: definition.memory.flatMap(Self.mebibytes),
            pullStartedAt: now,
            pullStoppedAt: now,
            availabilityZone: configuration.region + "a",
            hostname: configuration.hostname,
            containers: []
        )
        for (index, container) in definition.containers.enumerated() {
            var labels = container.dockerLabels
            labels.append(contentsOf: [
                EnvironmentVariable(name: "com.amazonaws.ecs.cluster", value: identity.clusterARN),
                EnvironmentVariable(name: "com.amazonaws.ecs.container-name", value: container.name),
                EnvironmentVariable(name: "com.amazonaws.ecs.task-arn", value: identity.taskARN),
                EnvironmentVariable(name: "com.amazonaws.ecs.task-definition-family", value: definition.family),
                EnvironmentVariable(name: "com.amazonaws.ecs.task-definition-version", value: String(definition.revision)),
            ])
            containers.append(
                ContainerStatus(
                    dockerID: identity.containerIDs[index],
                    name: container.name,
                    image: container.image,
                    imageID: configuration.lookup(configuration.imageConfigurations, container)?.id ?? "",
                    containerARN: identity.containerARNs[index],
                    labels: labels,
                    cpu: container.cpu ?? 0,
                    memory: container.memory ?? container.memoryReservation,
                    createdAt: now,
                    health: container.healthCheck == nil ? nil : "UNKNOWN",
                    logDriver: container.logDriver,
                    logOptions: container.logOptions
                )
            )
        }
    }

    /// Task `cpu` as vCPU: `"256"` (units) is 0.25, `"1 vCPU"` is 1.
    static func vCPU(_ text: String) -> Double? {
        guard let number = leadingNumber(text) else { return nil }
        return text.lowercased().contains("vcpu") ? number : number / 1024
    }

    /// Task `memory` in MiB: `"512"` is 512, `"2 GB"` is 2048.
    static func mebibytes(_ text: String) -> Int? {
        guard let number = leadingNumber(text) else { return nil }
        return Int(text.lowercased().contains("gb") ? number * 1024 : number)
    }

    private static func leadingNumber(_ text: String) -> Double? {
        Double(String(text.drop { $0 == " " }.prefix { $0.isNumber || $0 == "." }))
    }
}
