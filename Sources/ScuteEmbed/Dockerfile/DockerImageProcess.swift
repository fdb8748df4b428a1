import ScuteCore

/// What is known of one part of an image's config that a Dockerfile did not write itself.
public enum DockerImageValue: Sendable, Equatable {
    /// It comes from a base image Scute cannot see.
    case unknown
    /// It is known: a list, or nil when the image has none.
    case known([String]?)

    var value: [String]?? {
        if case .known(let v) = self { return .some(v) }
        return nil
    }
}

/// The parts of an image config that decide what a container runs: Entrypoint, Cmd, the Shell that
/// shell-form instructions use, and the ONBUILD triggers a child image runs.
public struct DockerImageProcess: Sendable, Equatable {
    public var entrypoint: [String]?
    public var cmd: [String]?
    public var shell: [String]?
    public var onBuild: [String]
    /// Config.User ("", the default, is root).
    public var user: String?

    public init(entrypoint: [String]? = nil, cmd: [String]? = nil, shell: [String]? = nil, onBuild: [String] = [], user: String? = "") {
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.shell = shell
        self.onBuild = onBuild
        self.user = user
    }

    /// Reads `docker image inspect` output (an array of images, or one image with `Config`), an OCI image
    /// config (with `config`), or a bare config object with `Entrypoint`/`Cmd`.
    public static func parse(_ text: String) throws(DockerfileError) -> DockerImageProcess {
        let document: JSONValue
        do {
            document = try JSONValue.parse(text)
        } catch {
            throw DockerfileError(.invalidImageConfig, line: nil, "the image config is not JSON: \(error)")
        }
        var value = document
        if case .array(let images) = value {
            guard images.count == 1, let only = images.first else {
                throw DockerfileError(
                    .invalidImageConfig,
                    line: nil,
                    "the image config holds \(images.count) images; inspect exactly one image"
                )
            }
            value = only
        }
        guard var object = value.objectValue else {
            throw DockerfileError(.invalidImageConfig, line: nil, "the image config must be a JSON object, found \(value.typeName)")
        }
        if let config = object["Config"] ?? object["config"] {
            guard let inner = config.objectValue else {
                if config == .null { return DockerImageProcess() }
                throw DockerfileError(.invalidImageConfig, line: nil, "Config must be an object, found \(config.typeName)")
            }
            object = inner
        } else if object["Entrypoint"] == nil && object["Cmd"] == nil {
            throw DockerfileError(
                .invalidImageConfig,
                line: nil,
                "the image config has no Config (docker image inspect), config (OCI), Entrypoint or Cmd"
            )
        }
        return DockerImageProcess(
            entrypoint: try list(object["Entrypoint"], "Entrypoint"),
            cmd: try list(object["Cmd"], "Cmd"),
            shell: try list(object["Shell"], "Shell"),
            onBuild: try list(object["OnBuild"], "OnBuild") ?? [],
            user: object["User"]?.stringValue ?? ""
        )
    }

    private static func list(_ value: JSONValue?, _ key: String) throws(DockerfileError) -> [String]? {
        guard let value, value != .null else { return nil }
        guard let strings = value.stringArrayValue else {
            throw DockerfileError(.invalidImageConfig, line: nil, "\(key) must be an array of strings or null, found \(value.typeName)")
        }
        return strings
    }

    /// Reads the value of `--entrypoint` or `--cmd`: a JSON array of strings, or `null`/`[]` for none.
    public static func parseList(_ text: String, option: String) throws(DockerfileError) -> [String]? {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw DockerfileError(.invalidOption, line: nil, "\(option) must be a JSON array of strings such as [\"/app\"]: \(error)")
        }
        if value == .null { return nil }
        guard let strings = value.stringArrayValue else {
            throw DockerfileError(.invalidOption, line: nil, "\(option) must be a JSON array of strings or null, found \(value.typeName)")
        }
        return strings.isEmpty && option.contains("entrypoint") ? nil : strings
    }
}
