import ScuteCore

/// The JSON of the task metadata endpoint version 4 (and 3, which has the same shape with fewer fields), as
/// Fargate serves it: `${ECS_CONTAINER_METADATA_URI_V4}` for the container, `/task` for the task.
package enum MetadataDocuments {
    /// The container's document.
    package static func container(_ container: ContainerStatus, task: TaskStatus) -> JSONValue {
        var object = JSONObject()
        func put(_ key: String, _ value: JSONValue) { object.insert(value, forKey: key, at: object.count) }
        put("DockerId", .string(container.dockerID))
        put("Name", .string(container.name))
        put("DockerName", .string(container.name))
        put("Image", .string(container.image))
        put("ImageID", .string(container.imageID))
        put("Labels", .object(JSONObject(members: container.labels.map { .init(key: $0.name, value: .string($0.value)) })))
        put("DesiredStatus", .string(container.desiredStatus))
        put("KnownStatus", .string(container.knownStatus))
        var limits = JSONObject()
        limits.insert(.int(container.cpu), forKey: "CPU", at: 0)
        if let memory = container.memory { limits.insert(.int(memory), forKey: "Memory", at: 1) }
        put("Limits", .object(limits))
        if let createdAt = container.createdAt { put("CreatedAt", .string(createdAt)) }
        if let startedAt = container.startedAt { put("StartedAt", .string(startedAt)) }
        if let finishedAt = container.finishedAt { put("FinishedAt", .string(finishedAt)) }
        put("Type", "NORMAL")
        if let exitCode = container.exitCode { put("ExitCode", .int(Int(exitCode))) }
        if let health = container.health {
            var object = JSONObject()
            object.insert(.string(health), forKey: "status", at: 0)
            if let since = container.healthSince { object.insert(.string(since), forKey: "statusSince", at: 1) }
            put("Health", .object(object))
        }
        put("ContainerARN", .string(container.containerARN))
        if let driver = container.logDriver {
            put("LogDriver", .string(driver))
            put("LogOptions", .object(JSONObject(members: container.logOptions.map { .init(key: $0.name, value: .string($0.value)) })))
        }
        put("Networks", networks(task))
        return .object(object)
    }

    /// The task's document, with every container's.
    package static func task(_ task: TaskStatus) -> JSONValue {
        var object = JSONObject()
        func put(_ key: String, _ value: JSONValue) { object.insert(value, forKey: key, at: object.count) }
        put("Cluster", .string(task.clusterARN))
        put("TaskARN", .string(task.taskARN))
        put("Family", .string(task.family))
        put("Revision", .string(task.revision))
        put("DesiredStatus", .string(task.desiredStatus))
        put("KnownStatus", .string(task.knownStatus))
        put("Containers", .array(task.containers.map { container($0, task: task) }))
        var limits = JSONObject()
        if let cpu = task.cpu { limits.insert(.number(format(cpu)), forKey: "CPU", at: 0) }
        if let memory = task.memory { limits.insert(.int(memory), forKey: "Memory", at: limits.count) }
        put("Limits", .object(limits))
        put("PullStartedAt", .string(task.pullStartedAt))
        put("PullStoppedAt", .string(task.pullStoppedAt))
        put("AvailabilityZone", .string(task.availabilityZone))
        put("LaunchType", "FARGATE")
        return .object(object)
    }

    /// The task's one awsvpc network: loopback only here.
    private static func networks(_ task: TaskStatus) -> JSONValue {
        let network: JSONValue = [
            "NetworkMode": "awsvpc",
            "IPv4Addresses": ["127.0.0.1"],
            "AttachmentIndex": 0,
            "IPv4SubnetCIDRBlock": "127.0.0.0/8",
            "PrivateDNSName": .string(task.hostname),
        ]
        return [network]
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
