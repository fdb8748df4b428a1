/// Everything needed to start one container, resolved before any container starts.
package struct ContainerLaunch: Sendable, Equatable {
    /// A mount made in the container's root: a host folder or file at `target`.
    package struct Mount: Sendable, Equatable {
        package var source: String
        package var target: String
        package var isFile: Bool
        package var readOnly: Bool

        package init(source: String, target: String, isFile: Bool, readOnly: Bool) {
            self.source = source
            self.target = target
            self.isFile = isFile
            self.readOnly = readOnly
        }
    }

    package var name: String
    /// The image's root, the lower layer of the container's root ("/" for the host's root).
    package var root: String
    package var argv: [String]
    /// `NAME=VALUE` entries.
    package var environment: [String]
    package var workingDirectory: String
    package var credentials: Credentials
    package var capabilities: UInt64
    package var mounts: [Mount]
    package var readOnlyRoot: Bool
    /// The health check's program and arguments.
    package var healthCheckArgv: [String]?

    /// The PATH the program name is searched in.
    package var searchPath: String? {
        environment.last { $0.hasPrefix("PATH=") }.map { String($0.dropFirst(5)) }
    }

    /// The value of an environment variable.
    package func environmentValue(_ name: String) -> String? {
        let prefix = name + "="
        return environment.last { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }
    }
}

/// An environment under construction: later settings replace earlier ones in place, as Docker merges the
/// image's Env with the container's.
struct EnvironmentBuilder {
    private(set) var entries: [String] = []

    mutating func set(_ name: String, _ value: String) {
        let prefix = name + "="
        if let index = entries.firstIndex(where: { $0.hasPrefix(prefix) }) {
            entries[index] = prefix + value
        } else {
            entries.append(prefix + value)
        }
    }

    mutating func setIfAbsent(_ name: String, _ value: String) {
        if !contains(name) { set(name, value) }
    }

    /// Adds a `NAME=VALUE` entry (an image's Env); an entry without `=` is ignored.
    mutating func add(_ entry: String) {
        guard let equals = entry.firstIndex(of: "=") else { return }
        set(String(entry[..<equals]), String(entry[entry.index(after: equals)...]))
    }

    func contains(_ name: String) -> Bool {
        entries.contains { $0.hasPrefix(name + "=") }
    }
}

extension ContainerLaunch {
    /// The program and arguments ECS starts: the task's `entryPoint` replaces the image's ENTRYPOINT and
    /// `command` replaces its CMD; when the task sets `entryPoint`, the image's CMD is not used.
    package static func argv(_ container: ContainerDefinition, image: ImageConfiguration?) throws(TaskError) -> [String] {
        let entry: [String]
        let arguments: [String]
        if let entryPoint = container.entryPoint, !entryPoint.isEmpty {
            entry = entryPoint
            arguments = container.command ?? []
        } else {
            entry = image?.entrypoint ?? []
            arguments = container.command ?? image?.cmd ?? []
        }
        let argv = entry + arguments
        guard !argv.isEmpty else {
            throw .option(
                "container \(container.name) has neither entryPoint nor command, and its image is not here to supply them: "
                    + "give --image-config \(container.name)=FILE or --image-command \(container.image)=COMMAND"
            )
        }
        return argv
    }
}
