/// The options of `scute task run`: what stands in for the images, the secrets, and the names the metadata
/// endpoint reports. Maps keyed by "container name or image" apply to the container of that name, else to
/// every container of that image.
package struct TaskRunConfiguration: Sendable {
    /// A file from the host placed into a container (read-only).
    package struct ImageFile: Sendable, Equatable {
        package var hostPath: String
        package var containerPath: String

        package init(hostPath: String, containerPath: String) {
            self.hostPath = hostPath
            self.containerPath = containerPath
        }
    }

    /// `--forward [HOST:]PORT`: the task's 127.0.0.1:`port` leads to `hostAddress`:`port` on the host.
    package struct PortForward: Sendable, Equatable {
        package var hostAddress: String
        package var port: UInt16

        package init(hostAddress: String = "127.0.0.1", port: UInt16) {
            self.hostAddress = hostAddress
            self.port = port
        }
    }

    /// `--publish HOSTPORT:PORT`: the host's 127.0.0.1:`hostPort` leads to the task's 127.0.0.1:`taskPort`.
    package struct PortPublish: Sendable, Equatable {
        package var hostPort: UInt16
        package var taskPort: UInt16

        package init(hostPort: UInt16, taskPort: UInt16) {
            self.hostPort = hostPort
            self.taskPort = taskPort
        }
    }

    /// The root folder standing in for the image, by container name or image (`--rootfs`). Without one a
    /// container runs on a copy-on-write view of the host's root.
    package var roots: [String: String] = [:]
    /// The image's configuration, by container name or image (`--image-config`).
    package var imageConfigurations: [String: ImageConfiguration] = [:]
    /// The image's ENTRYPOINT, by image or container name (`--image-command`).
    package var imageCommands: [String: [String]] = [:]
    /// Host files added to the image, by image or container name (`--image-file`).
    package var imageFiles: [String: [ImageFile]] = [:]
    /// Where secrets get their values, by container name (`--env-file`).
    package var environmentFiles: [String: EnvironmentFile] = [:]
    /// The names in the task's ARN and metadata; placeholders, as no AWS account is involved.
    package var cluster = "default"
    package var region = "us-east-1"
    package var account = "000000000000"
    /// Where the task's private folder (volumes, container layers) is made.
    package var stateDirectory = "/tmp"
    /// The task's host name (every container shares it, as in an awsvpc task).
    package var hostname = "ip-127-0-0-1"
    /// Where the task metadata endpoint listens inside the task's network namespace.
    package var metadataAddress = "169.254.170.2"
    package var metadataPort: UInt16 = 80
    /// Host services the containers reach at the same port on the task's loopback (`--forward`), as a task
    /// reaches a console or a database through its network interface.
    package var forwards: [PortForward] = []
    /// Task ports served on the host's loopback (`--publish`), as a load balancer reaches the task.
    package var publishes: [PortPublish] = []

    package init() {}

    /// The entry of `map` for `container`: by its name first, then by its image.
    func lookup<Value>(_ map: [String: Value], _ container: ContainerDefinition) -> Value? {
        map[container.name] ?? map[container.image]
    }

    /// Refuses keys that name no container and no image of the task (a typo would otherwise be ignored).
    func checkKeys(against definition: TaskDefinition) throws(TaskError) {
        let known = Set(definition.containers.flatMap { [$0.name, $0.image] })
        let options: [(String, [String])] = [
            ("--rootfs", Array(roots.keys)), ("--image-config", Array(imageConfigurations.keys)),
            ("--image-command", Array(imageCommands.keys)), ("--image-file", Array(imageFiles.keys)),
            ("--env-file", Array(environmentFiles.keys)),
        ]
        for (option, keys) in options {
            for key in keys.sorted() where !known.contains(key) {
                let names = definition.containers.map(\.name).joined(separator: ", ")
                throw .option("\(option) \(key): the task has no container or image of that name (containers: \(names))")
            }
        }
    }
}
