import ScuteCore

/// The part of an image's configuration that decides what a container runs: its Entrypoint and Cmd.
public struct ImageConfig: Sendable, Equatable {
    public var entrypoint: [String]?
    public var cmd: [String]?

    public init(entrypoint: [String]?, cmd: [String]?) {
        self.entrypoint = entrypoint
        self.cmd = cmd
    }

    /// Reads the output of `docker image inspect` (an array of one image, or the image object), an OCI image
    /// configuration (`{"config": {...}}`), or a bare `{"Entrypoint": ..., "Cmd": ...}` object.
    public static func parse(_ text: String) throws(EmbedError) -> ImageConfig {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw EmbedError.invalidInput("image configuration is not valid JSON: \(error)")
        }
        return try parse(value)
    }

    /// Reads an already parsed image configuration document.
    public static func parse(_ value: JSONValue) throws(EmbedError) -> ImageConfig {
        var v = value
        if let array = v.arrayValue {
            guard array.count == 1 else {
                throw EmbedError.invalidInput("image configuration: expected one image, found \(array.count)")
            }
            v = array[0]
        }
        guard var object = v.objectValue else {
            throw EmbedError.invalidInput("image configuration: expected a JSON object, found \(v.typeName)")
        }
        for wrapper in ["Config", "config", "ContainerConfig"] {
            if let inner = object[wrapper]?.objectValue {
                object = inner
                break
            }
        }
        func list(_ key: String) throws(EmbedError) -> [String]? {
            guard let field = object[key] else { return nil }
            if field == .null { return nil }
            guard let strings = field.stringArrayValue else {
                throw EmbedError.invalidInput("image configuration: \(key) must be an array of strings or null")
            }
            return strings
        }
        let entrypoint = try list("Entrypoint")
        let cmd = try list("Cmd")
        guard object["Entrypoint"] != nil || object["Cmd"] != nil else {
            throw EmbedError.invalidInput(
                "image configuration: no Entrypoint or Cmd found (expected `docker image inspect` output or an OCI image config)"
            )
        }
        return ImageConfig(entrypoint: entrypoint, cmd: cmd)
    }
}
