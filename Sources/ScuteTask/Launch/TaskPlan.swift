/// A task resolved for starting: each container's launch, the folders for the task's volumes, the files
/// every container shares (/etc/hosts, /etc/resolv.conf, /etc/hostname), and warnings about what is not
/// reproduced locally. Made before any container starts, so a mistake stops the run before it begins.
package struct TaskPlan: Sendable {
    package var definition: TaskDefinition
    package var configuration: TaskRunConfiguration
    package var identity: TaskIdentity
    /// The task's private host folder.
    package var staging: String
    package var containers: [ContainerLaunch]
    /// Host folders of the volumes the task manages (empty at start).
    package var volumeFolders: [String]
    package var warnings: [String]

    /// Where the files shared by the containers are kept on the host.
    package var etcFolder: String { staging + "/etc" }

    /// The metadata endpoint's base URL for a container (without the version path).
    package var metadataBase: String {
        let port = configuration.metadataPort == 80 ? "" : ":\(configuration.metadataPort)"
        return "http://\(configuration.metadataAddress)\(port)"
    }

    /// Resolves the task. `readFile` reads a host file (nil when missing), `isDirectory` tells a host folder,
    /// `isFile` a host file.
    package static func make(
        definition: TaskDefinition,
        configuration: TaskRunConfiguration,
        identity: TaskIdentity,
        staging: String,
        readFile: (String) -> String?,
        isDirectory: (String) -> Bool,
        isFile: (String) -> Bool
    ) throws(TaskError) -> TaskPlan {
        try configuration.checkKeys(against: definition)
        var plan = TaskPlan(
            definition: definition,
            configuration: configuration,
            identity: identity,
            staging: staging,
            containers: [],
            volumeFolders: [],
            warnings: []
        )
        var volumeSources: [String: String] = [:]
        for volume in definition.volumes {
            if let host = volume.hostPath {
                volumeSources[volume.name] = host
            } else {
                let folder = "\(staging)/volumes/\(volume.name)"
                volumeSources[volume.name] = folder
                plan.volumeFolders.append(folder)
            }
        }
        if let mode = definition.networkMode, mode != "awsvpc" {
            plan.warnings.append("networkMode \(mode): the task runs as awsvpc does, all containers in one network namespace")
        }
        for (index, container) in definition.containers.enumerated() {
            if container.environmentFileCount > 0 {
                plan.warnings.append("container \(container.name): environmentFiles live in S3 and are not read here; use --env-file")
            }
            var launch = try plan.launch(container, index: index, volumeSources: volumeSources, readFile: readFile, isDirectory: isDirectory)
            // A local program standing in for the image (--image-command) is put into the container where it is.
            if let program = configuration.lookup(configuration.imageCommands, container)?.first, program.hasPrefix("/"), isFile(program) {
                launch.mounts.append(.init(source: program, target: program, isFile: true, readOnly: true))
            }
            plan.containers.append(launch)
        }
        return plan
    }

    private func launch(
        _ container: ContainerDefinition,
        index: Int,
        volumeSources: [String: String],
        readFile: (String) -> String?,
        isDirectory: (String) -> Bool
    ) throws(TaskError) -> ContainerLaunch {
        let root = configuration.lookup(configuration.roots, container) ?? "/"
        guard isDirectory(root) else { throw .option("--rootfs for \(container.name): \(root) is not a folder") }
        guard root.hasPrefix("/"), !root.contains(where: { $0 == "," || $0 == ":" || $0 == "\\" }) else {
            throw .option("--rootfs for \(container.name): \(root) must be an absolute path without ',', ':' or '\\'")
        }
        var image = configuration.lookup(configuration.imageConfigurations, container)
        if let command = configuration.lookup(configuration.imageCommands, container) {
            var replaced = image ?? ImageConfiguration()
            replaced.entrypoint = command
            replaced.cmd = nil
            image = replaced
        }
        let prefix = root == "/" ? "" : root
        let users = UserDatabase(passwd: readFile(prefix + "/etc/passwd"), group: readFile(prefix + "/etc/group"))
        let credentials = try users.resolve(container.user ?? image?.user, container: container.name)
        return ContainerLaunch(
            name: container.name,
            root: root,
            argv: try ContainerLaunch.argv(container, image: image),
            environment: try environment(container, index: index, image: image, credentials: credentials),
            workingDirectory: container.workingDirectory ?? image?.workingDir ?? "/",
            credentials: credentials,
            capabilities: try Capabilities.mask(add: container.capabilitiesAdd, drop: container.capabilitiesDrop, container: container.name),
            mounts: try mounts(container, volumeSources: volumeSources, isDirectory: isDirectory),
            readOnlyRoot: container.readonlyRootFilesystem,
            healthCheckArgv: container.healthCheck?.argv
        )
    }

    private func environment(
        _ container: ContainerDefinition,
        index: Int,
        image: ImageConfiguration?,
        credentials: Credentials
    ) throws(TaskError) -> [String] {
        var builder = EnvironmentBuilder()
        builder.set("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
        builder.set("HOSTNAME", configuration.hostname)
        for entry in image?.env ?? [] { builder.add(entry) }
        let id = identity.containerIDs[index]
        builder.set("ECS_CONTAINER_METADATA_URI_V4", "\(metadataBase)/v4/\(id)")
        builder.set("ECS_CONTAINER_METADATA_URI", "\(metadataBase)/v3/\(id)")
        builder.set("AWS_EXECUTION_ENV", "AWS_ECS_FARGATE")
        builder.set("AWS_REGION", configuration.region)
        builder.set("AWS_DEFAULT_REGION", configuration.region)
        for variable in container.environment { builder.set(variable.name, variable.value) }
        let file = configuration.environmentFiles[container.name]
        for secret in container.secrets {
            guard let value = file?.value(of: secret.name) else {
                throw .option(
                    "container \(container.name): secret \(secret.name) (from \(secret.valueFrom)) has no value: "
                        + "give --env-file \(container.name)=FILE with a line \(secret.name)=VALUE"
                )
            }
            builder.set(secret.name, value)
        }
        builder.setIfAbsent("HOME", credentials.home)
        return builder.entries
    }

    private func mounts(
        _ container: ContainerDefinition,
        volumeSources: [String: String],
        isDirectory: (String) -> Bool
    ) throws(TaskError) -> [ContainerLaunch.Mount] {
        var out: [ContainerLaunch.Mount] = []
        for file in ["hosts", "resolv.conf", "hostname"] {
            out.append(.init(source: "\(etcFolder)/\(file)", target: "/etc/\(file)", isFile: true, readOnly: false))
        }
        var points = container.mountPoints
        for source in container.volumesFrom {
            for point in definition.container(named: source.sourceContainer)?.mountPoints ?? [] {
                points.append(
                    MountPoint(sourceVolume: point.sourceVolume, containerPath: point.containerPath, readOnly: point.readOnly || source.readOnly)
                )
            }
        }
        for point in points {
            guard let source = volumeSources[point.sourceVolume] else { continue }
            out.append(.init(source: source, target: point.containerPath, isFile: false, readOnly: point.readOnly))
        }
        for file in configuration.lookup(configuration.imageFiles, container) ?? [] {
            guard file.hostPath.hasPrefix("/"), file.containerPath.hasPrefix("/") else {
                throw .option("--image-file for \(container.name): \(file.hostPath):\(file.containerPath) needs two absolute paths")
            }
            out.append(.init(source: file.hostPath, target: file.containerPath, isFile: !isDirectory(file.hostPath), readOnly: true))
        }
        return out
    }
}
