import ScuteCore

/// Typed reads of task-definition fields whose errors name the field's path, e.g.
/// `containerDefinitions[1].healthCheck.interval: expected a number, found a string`.
struct DefinitionReader {
    let object: JSONObject
    let path: String

    init(_ object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func string(_ key: String) throws(TaskError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard let text = value.stringValue else { throw mismatch(key, "a string", value) }
        return text
    }

    func requiredString(_ key: String) throws(TaskError) -> String {
        guard let text = try string(key), !text.isEmpty else {
            throw .definition("\(field(key)) is missing")
        }
        return text
    }

    func int(_ key: String) throws(TaskError) -> Int? {
        guard let value = object[key], value != .null else { return nil }
        guard let number = value.intValue else { throw mismatch(key, "an integer", value) }
        return number
    }

    func bool(_ key: String) throws(TaskError) -> Bool? {
        guard let value = object[key], value != .null else { return nil }
        guard let flag = value.boolValue else { throw mismatch(key, "true or false", value) }
        return flag
    }

    func strings(_ key: String) throws(TaskError) -> [String]? {
        guard let value = object[key], value != .null else { return nil }
        guard let list = value.stringArrayValue else { throw mismatch(key, "an array of strings", value) }
        return list
    }

    /// The objects of an array field, each with a reader for its own path.
    func objects(_ key: String) throws(TaskError) -> [DefinitionReader] {
        guard let value = object[key], value != .null else { return [] }
        guard let list = value.arrayValue else { throw mismatch(key, "an array", value) }
        var readers: [DefinitionReader] = []
        for (index, element) in list.enumerated() {
            guard let inner = element.objectValue else {
                throw .definition("\(field(key))[\(index)]: expected an object, found \(element.typeName)")
            }
            readers.append(DefinitionReader(inner, path: "\(field(key))[\(index)]"))
        }
        return readers
    }

    func object(_ key: String) throws(TaskError) -> DefinitionReader? {
        guard let value = object[key], value != .null else { return nil }
        guard let inner = value.objectValue else { throw mismatch(key, "an object", value) }
        return DefinitionReader(inner, path: field(key))
    }

    /// A `[{"name": ..., "value": ...}]` list.
    func namedValues(_ key: String, valueKey: String = "value") throws(TaskError) -> [EnvironmentVariable] {
        var out: [EnvironmentVariable] = []
        for entry in try objects(key) {
            out.append(EnvironmentVariable(name: try entry.requiredString("name"), value: try entry.string(valueKey) ?? ""))
        }
        return out
    }

    /// A `{"key": "value"}` map, in order.
    func stringMap(_ key: String) throws(TaskError) -> [EnvironmentVariable] {
        guard let inner = try object(key) else { return [] }
        var out: [EnvironmentVariable] = []
        for member in inner.object.members {
            guard let text = member.value.stringValue else { throw inner.mismatch(member.key, "a string", member.value) }
            out.append(EnvironmentVariable(name: member.key, value: text))
        }
        return out
    }

    func mismatch(_ key: String, _ expected: String, _ found: JSONValue) -> TaskError {
        .definition("\(field(key)): expected \(expected), found \(found.typeName)")
    }
}
