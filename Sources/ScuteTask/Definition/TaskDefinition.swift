/// The parts of an ECS task definition that running it locally needs.
package struct TaskDefinition: Sendable, Equatable {
    package var family: String
    /// The revision (1 for RegisterTaskDefinition input, which has none).
    package var revision: Int
    /// Task-level `cpu` and `memory`, as written (`"256"`, `"1 vCPU"`, `"2 GB"`).
    package var cpu: String?
    package var memory: String?
    package var networkMode: String?
    package var containers: [ContainerDefinition]
    package var volumes: [Volume]

    package init(family: String, revision: Int = 1, containers: [ContainerDefinition], volumes: [Volume] = []) {
        self.family = family
        self.revision = revision
        self.containers = containers
        self.volumes = volumes
    }

    /// The container named `name`.
    package func container(named name: String) -> ContainerDefinition? {
        containers.first { $0.name == name }
    }
}

/// A task volume: an empty folder shared by the containers that mount it, or a host folder.
package struct Volume: Sendable, Equatable {
    package var name: String
    /// `host.sourcePath`, when the volume binds a host folder (not allowed on Fargate, accepted here).
    package var hostPath: String?

    package init(name: String, hostPath: String? = nil) {
        self.name = name
        self.hostPath = hostPath
    }
}
