import ScuteCore

/// What an image contributes to a container when it starts: Entrypoint, Cmd, Env, WorkingDir, User. Images
/// are not pulled, so this comes from `--image-config` (the output of `docker image inspect`, or an OCI image
/// configuration) or `--image-command`.
package struct ImageConfiguration: Sendable, Equatable {
    package var entrypoint: [String]?
    package var cmd: [String]?
    /// `NAME=VALUE` entries.
    package var env: [String]
    package var workingDir: String?
    package var user: String?
    /// The image ID (`sha256:...`) when the configuration names one.
    package var id: String?

    package init(entrypoint: [String]? = nil, cmd: [String]? = nil, env: [String] = [], workingDir: String? = nil, user: String? = nil) {
        self.entrypoint = entrypoint
        self.cmd = cmd
        self.env = env
        self.workingDir = workingDir
        self.user = user
    }

    /// Reads `docker image inspect` output (an array of one image or the image object), an OCI image
    /// configuration (`{"config": {...}}`), or a bare `{"Entrypoint": ..., "Cmd": ...}` object.
    package static func parse(_ text: String, source: String) throws(TaskError) -> ImageConfiguration {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw .option("\(source): the image configuration is not valid JSON: \(error)")
        }
        var document = value
        if let array = document.arrayValue {
            guard array.count == 1 else { throw .option("\(source): expected one image, found \(array.count)") }
            document = array[0]
        }
        guard let outer = document.objectValue else {
            throw .option("\(source): expected a JSON object, found \(document.typeName)")
        }
        var object = outer
        for wrapper in ["Config", "config"] {
            if let inner = outer[wrapper]?.objectValue {
                object = inner
                break
            }
        }
        let reader = DefinitionReader(object, path: source)
        var configuration = ImageConfiguration()
        do {
            configuration.entrypoint = try reader.strings("Entrypoint")
            configuration.cmd = try reader.strings("Cmd")
            configuration.env = try reader.strings("Env") ?? []
            configuration.workingDir = try reader.string("WorkingDir").flatMap { $0.isEmpty ? nil : $0 }
            configuration.user = try reader.string("User").flatMap { $0.isEmpty ? nil : $0 }
        } catch {
            throw .option(error.message)
        }
        configuration.id = outer["Id"]?.stringValue
        return configuration
    }
}
