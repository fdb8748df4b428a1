import ScuteCore

extension TaskDefinition {
    /// Reads RegisterTaskDefinition JSON or the output of `aws ecs describe-task-definition`, and checks what
    /// ECS would refuse at launch: unknown containers or volumes, dependency cycles, COMPLETE or SUCCESS on an
    /// essential container, HEALTHY on a container without a health check, no essential container.
    package static func parse(_ text: String) throws(TaskError) -> TaskDefinition {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw .definition("the task definition is not valid JSON: \(error)")
        }
        guard var object = value.objectValue else {
            throw .definition("the task definition must be a JSON object, found \(value.typeName)")
        }
        if let inner = object["taskDefinition"]?.objectValue { object = inner }
        let definition = try parse(DefinitionReader(object, path: ""))
        try definition.validate()
        return definition
    }

    private static func parse(_ reader: DefinitionReader) throws(TaskError) -> TaskDefinition {
        let family = try reader.requiredString("family")
        let containerReaders = try reader.objects("containerDefinitions")
        guard !containerReaders.isEmpty else { throw .definition("containerDefinitions is missing or empty") }
        var containers: [ContainerDefinition] = []
        for container in containerReaders { containers.append(try ContainerDefinition.parse(container)) }
        var volumes: [Volume] = []
        for volume in try reader.objects("volumes") {
            let hostPath = try volume.object("host")?.string("sourcePath")
            volumes.append(Volume(name: try volume.requiredString("name"), hostPath: hostPath))
        }
        var definition = TaskDefinition(family: family, revision: try reader.int("revision") ?? 1, containers: containers, volumes: volumes)
        definition.cpu = try textOrNumber(reader, "cpu")
        definition.memory = try textOrNumber(reader, "memory")
        definition.networkMode = try reader.string("networkMode")
        return definition
    }

    /// Task `cpu` and `memory` are strings in the API, numbers in some templates: either is accepted.
    private static func textOrNumber(_ reader: DefinitionReader, _ key: String) throws(TaskError) -> String? {
        if let number = reader.object[key]?.intValue { return String(number) }
        return try reader.string(key)
    }

    private func validate() throws(TaskError) {
        var names: Set<String> = []
        for container in containers where !names.insert(container.name).inserted {
            throw .definition("two containers are named \(container.name)")
        }
        var volumeNames: Set<String> = []
        for volume in volumes where !volumeNames.insert(volume.name).inserted {
            throw .definition("two volumes are named \(volume.name)")
        }
        guard containers.contains(where: \.essential) else {
            throw .definition("no container is essential: a task needs at least one")
        }
        for container in containers {
            try validate(container, names: names, volumeNames: volumeNames)
        }
        try checkCycles()
    }

    private func validate(_ container: ContainerDefinition, names: Set<String>, volumeNames: Set<String>) throws(TaskError) {
        let name = container.name
        for dependency in container.dependsOn {
            guard let target = self.container(named: dependency.containerName), dependency.containerName != name else {
                throw .definition("container \(name) depends on \(dependency.containerName), which is not another container of the task")
            }
            if target.essential && (dependency.condition == .complete || dependency.condition == .success) {
                throw .definition(
                    "container \(name) depends on \(target.name) with \(dependency.condition.rawValue), which needs \(target.name) to be non-essential"
                )
            }
            if dependency.condition == .healthy && target.healthCheck == nil {
                throw .definition("container \(name) depends on \(target.name) being HEALTHY, but \(target.name) has no healthCheck")
            }
        }
        for mount in container.mountPoints where !volumeNames.contains(mount.sourceVolume) {
            throw .definition("container \(name) mounts volume \(mount.sourceVolume), which the task does not define")
        }
        for source in container.volumesFrom where !names.contains(source.sourceContainer) || source.sourceContainer == name {
            throw .definition("container \(name) takes volumes from \(source.sourceContainer), which is not another container of the task")
        }
        if let timeout = container.stopTimeout, !(0...120).contains(timeout) {
            throw .definition("container \(name): stopTimeout must be between 0 and 120 seconds on Fargate, found \(timeout)")
        }
        if let check = container.healthCheck {
            try validate(check, container: name)
        }
    }

    private func validate(_ check: HealthCheck, container name: String) throws(TaskError) {
        let limits: [(String, Int, ClosedRange<Int>)] = [
            ("interval", check.interval, 5...300), ("timeout", check.timeout, 2...60),
            ("retries", check.retries, 1...10), ("startPeriod", check.startPeriod, 0...300),
        ]
        for (field, value, range) in limits where !range.contains(value) {
            throw .definition(
                "container \(name): healthCheck.\(field) must be between \(range.lowerBound) and \(range.upperBound), found \(value)"
            )
        }
        guard let kind = check.command.first, ["CMD", "CMD-SHELL"].contains(kind), check.command.count > 1 else {
            throw .definition("container \(name): healthCheck.command must be [\"CMD\", program, ...] or [\"CMD-SHELL\", \"command\"]")
        }
    }

    /// Refuses `dependsOn` and `volumesFrom` chains that lead back to where they started.
    private func checkCycles() throws(TaskError) {
        var state: [String: Bool] = [:]  // false: on the current path, true: done
        func visit(_ name: String, _ path: [String]) throws(TaskError) {
            if state[name] == true { return }
            if state[name] == false {
                throw .definition("containers depend on each other in a cycle: \((path + [name]).joined(separator: " -> "))")
            }
            state[name] = false
            let container = self.container(named: name)
            for next in (container?.dependsOn.map(\.containerName) ?? []) { try visit(next, path + [name]) }
            state[name] = true
        }
        for container in containers { try visit(container.name, []) }
    }
}
