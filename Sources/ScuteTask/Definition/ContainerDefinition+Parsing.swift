extension ContainerDefinition {
    static func parse(_ reader: DefinitionReader) throws(TaskError) -> ContainerDefinition {
        var container = ContainerDefinition(name: try reader.requiredString("name"), image: try reader.requiredString("image"))
        container.essential = try reader.bool("essential") ?? true
        container.entryPoint = try reader.strings("entryPoint")
        container.command = try reader.strings("command")
        container.environment = try reader.namedValues("environment")
        for secret in try reader.objects("secrets") {
            container.secrets.append(Secret(name: try secret.requiredString("name"), valueFrom: try secret.string("valueFrom") ?? ""))
        }
        for dependency in try reader.objects("dependsOn") {
            let text = try dependency.requiredString("condition")
            guard let condition = Dependency.Condition(rawValue: text) else {
                let known = Dependency.Condition.allCases.map(\.rawValue).joined(separator: ", ")
                throw .definition("\(dependency.field("condition")): \(text) is not one of \(known)")
            }
            container.dependsOn.append(Dependency(containerName: try dependency.requiredString("containerName"), condition: condition))
        }
        if let check = try reader.object("healthCheck") {
            container.healthCheck = try parseHealthCheck(check)
        }
        for mount in try reader.objects("mountPoints") {
            container.mountPoints.append(
                MountPoint(
                    sourceVolume: try mount.requiredString("sourceVolume"),
                    containerPath: try absolutePath(mount, "containerPath"),
                    readOnly: try mount.bool("readOnly") ?? false
                )
            )
        }
        for source in try reader.objects("volumesFrom") {
            container.volumesFrom.append(
                VolumeFrom(sourceContainer: try source.requiredString("sourceContainer"), readOnly: try source.bool("readOnly") ?? false)
            )
        }
        container.user = try reader.string("user")
        container.workingDirectory = try reader.string("workingDirectory")
        container.stopTimeout = try reader.int("stopTimeout")
        container.startTimeout = try reader.int("startTimeout")
        if let capabilities = try reader.object("linuxParameters")?.object("capabilities") {
            container.capabilitiesAdd = try capabilities.strings("add") ?? []
            container.capabilitiesDrop = try capabilities.strings("drop") ?? []
        }
        container.readonlyRootFilesystem = try reader.bool("readonlyRootFilesystem") ?? false
        container.cpu = try reader.int("cpu")
        container.memory = try reader.int("memory")
        container.memoryReservation = try reader.int("memoryReservation")
        if let log = try reader.object("logConfiguration") {
            container.logDriver = try log.string("logDriver")
            container.logOptions = try log.stringMap("options")
        }
        container.dockerLabels = try reader.stringMap("dockerLabels")
        container.environmentFileCount = try reader.objects("environmentFiles").count
        return container
    }

    private static func parseHealthCheck(_ check: DefinitionReader) throws(TaskError) -> HealthCheck {
        guard let command = try check.strings("command") else { throw .definition("\(check.field("command")) is missing") }
        var health = HealthCheck(command: command)
        health.interval = try check.int("interval") ?? health.interval
        health.timeout = try check.int("timeout") ?? health.timeout
        health.retries = try check.int("retries") ?? health.retries
        health.startPeriod = try check.int("startPeriod") ?? health.startPeriod
        return health
    }

    private static func absolutePath(_ reader: DefinitionReader, _ key: String) throws(TaskError) -> String {
        let path = try reader.requiredString(key)
        guard path.hasPrefix("/") else { throw .definition("\(reader.field(key)): \(path) is not an absolute path") }
        return path
    }
}
