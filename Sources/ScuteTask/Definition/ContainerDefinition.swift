/// One container of a task definition, as far as running it locally needs.
package struct ContainerDefinition: Sendable, Equatable {
    package var name: String
    package var image: String
    package var essential: Bool
    package var entryPoint: [String]?
    package var command: [String]?
    /// `environment`, in order.
    package var environment: [EnvironmentVariable]
    package var secrets: [Secret]
    package var dependsOn: [Dependency]
    package var healthCheck: HealthCheck?
    package var mountPoints: [MountPoint]
    /// The containers whose mount points this one gets too (`volumesFrom`).
    package var volumesFrom: [VolumeFrom]
    package var user: String?
    package var workingDirectory: String?
    /// Seconds between SIGTERM and SIGKILL when the task stops (`stopTimeout`).
    package var stopTimeout: Int?
    /// Seconds to wait for `dependsOn` before giving up on this container (`startTimeout`).
    package var startTimeout: Int?
    package var capabilitiesAdd: [String]
    package var capabilitiesDrop: [String]
    package var readonlyRootFilesystem: Bool
    package var cpu: Int?
    package var memory: Int?
    package var memoryReservation: Int?
    package var logDriver: String?
    package var logOptions: [EnvironmentVariable]
    package var dockerLabels: [EnvironmentVariable]
    /// How many `environmentFiles` the container names (they live in S3 and are not read here).
    package var environmentFileCount: Int

    package init(name: String, image: String) {
        self.name = name
        self.image = image
        self.essential = true
        self.environment = []
        self.secrets = []
        self.dependsOn = []
        self.mountPoints = []
        self.volumesFrom = []
        self.capabilitiesAdd = []
        self.capabilitiesDrop = []
        self.readonlyRootFilesystem = false
        self.logOptions = []
        self.dockerLabels = []
        self.environmentFileCount = 0
    }
}

/// A name and a value, in the order the task definition gives them.
package struct EnvironmentVariable: Sendable, Equatable {
    package var name: String
    package var value: String

    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// A secret: the variable `name` gets the value stored at `valueFrom`.
package struct Secret: Sendable, Equatable {
    package var name: String
    package var valueFrom: String
}

/// A `dependsOn` entry.
package struct Dependency: Sendable, Equatable {
    package enum Condition: String, Sendable, Equatable, CaseIterable {
        case start = "START"
        case complete = "COMPLETE"
        case success = "SUCCESS"
        case healthy = "HEALTHY"
    }

    package var containerName: String
    package var condition: Condition
}

/// A container health check; times in seconds, with ECS's defaults.
package struct HealthCheck: Sendable, Equatable {
    /// `["CMD", program, args...]` or `["CMD-SHELL", "command line"]`.
    package var command: [String]
    package var interval: Int = 30
    package var timeout: Int = 5
    package var retries: Int = 3
    package var startPeriod: Int = 0

    /// The program and arguments the check runs.
    package var argv: [String] {
        guard let first = command.first else { return [] }
        switch first {
        case "CMD": return Array(command.dropFirst())
        case "CMD-SHELL": return ["/bin/sh", "-c", command.dropFirst().joined(separator: " ")]
        default: return command
        }
    }
}

/// A task volume mounted into a container.
package struct MountPoint: Sendable, Equatable {
    package var sourceVolume: String
    package var containerPath: String
    package var readOnly: Bool
}

/// A `volumesFrom` entry.
package struct VolumeFrom: Sendable, Equatable {
    package var sourceContainer: String
    package var readOnly: Bool
}
