import ScuteCore
import Yams

/// Applies the task-definition embed to the `AWS::ECS::TaskDefinition` resources of a CloudFormation
/// template, in CloudFormation's property casing, leaving the rest of the template as it was: JSON keeps
/// its key order and indentation; YAML keeps every line outside the entries the embed changes, including
/// comments and short-form intrinsics (`!Ref`, `!Sub`, `!GetAtt`, ...), which also survive inside them.
public struct CloudFormationEmbedder: Sendable {
    public struct Output: Sendable, Equatable {
        public var text: String
        public var warnings: [String]
        /// The logical IDs of the task definitions that were changed.
        public var resources: [String]
    }

    static let taskDefinitionType = "AWS::ECS::TaskDefinition"

    public init() {}

    /// Protects the task definitions of a template (all of them, or the ones named in `resources`).
    public func embed(template: String, options: EmbedOptions, resources: [String] = []) throws(EmbedError) -> Output {
        try transform(template: template, resources: resources) { embedder, logicalID, props throws(EmbedError) in
            var o = options
            if o.appID == nil && props["Family"] == nil { o.appID = logicalID }
            return try embedder.embed(props, options: o)
        }
    }

    /// Takes the embedding out of a template's task definitions.
    public func remove(template: String, resources: [String] = []) throws(EmbedError) -> Output {
        try transform(template: template, resources: resources) { embedder, _, props throws(EmbedError) in
            try embedder.remove(props)
        }
    }

    /// The task definitions of a template with their properties, intrinsics as `{"!Tag": value}` objects
    /// when the template is YAML.
    public static func taskDefinitions(in template: String) throws(EmbedError) -> [(logicalID: String, properties: JSONObject)] {
        let embedder = CloudFormationEmbedder()
        var found: [(logicalID: String, properties: JSONObject)] = []
        _ = try embedder.transform(template: template, resources: []) { inner, logicalID, props throws(EmbedError) in
            found.append((logicalID, props))
            return TaskDefinitionEmbedder.Output(taskDefinition: props, warnings: [])
        }
        return found
    }

    private typealias Step = (TaskDefinitionEmbedder, String, JSONObject) throws(EmbedError) -> TaskDefinitionEmbedder.Output

    private func transform(template: String, resources: [String], step: Step) throws(EmbedError) -> Output {
        let trimmed = template.drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" || $0 == "\u{FEFF}" }
        if trimmed.first == "{" {
            return try transformJSON(template, resources: resources, step: step)
        }
        return try transformYAML(template, resources: resources, step: step)
    }

    private func selected(_ all: [(String, JSONObject)], _ names: [String]) throws(EmbedError) -> [(String, JSONObject)] {
        let taskDefs = all.filter { $0.1["Type"]?.stringValue == Self.taskDefinitionType }
        for name in names {
            guard let r = all.first(where: { $0.0 == name }) else {
                throw EmbedError.invalidInput("--resource \(name): the template has no resource \"\(name)\"")
            }
            if r.1["Type"]?.stringValue != Self.taskDefinitionType {
                let type = r.1["Type"]?.stringValue ?? "no Type"
                throw EmbedError.invalidInput("--resource \(name): \"\(name)\" is \(type), not \(Self.taskDefinitionType)")
            }
        }
        let chosen = names.isEmpty ? taskDefs : taskDefs.filter { names.contains($0.0) }
        if chosen.isEmpty { throw EmbedError.invalidInput("the template has no \(Self.taskDefinitionType) resource") }
        return chosen
    }

    private func properties(of logicalID: String, _ resource: JSONObject) throws(EmbedError) -> JSONObject {
        guard let props = resource["Properties"] else {
            throw EmbedError.invalidInput("resource \(logicalID) has no Properties")
        }
        guard let o = props.objectValue else {
            throw EmbedError.invalidInput("resource \(logicalID): Properties must be a mapping, found \(props.typeName)")
        }
        return o
    }

    private func run(_ step: Step, _ logicalID: String, _ props: JSONObject) throws(EmbedError) -> TaskDefinitionEmbedder.Output {
        let embedder = TaskDefinitionEmbedder(keyStyle: .cloudFormation, subject: "resource \(logicalID)")
        do {
            var out = try step(embedder, logicalID, props)
            out.warnings = out.warnings.map { "resource \(logicalID): \($0)" }
            return out
        } catch {
            if error.message.hasPrefix("resource \(logicalID)") { throw error }
            throw EmbedError.invalidInput("resource \(logicalID): \(error.message)")
        }
    }

    private func resourceList(_ resources: JSONValue?) throws(EmbedError) -> [(String, JSONObject)] {
        guard let resources else { throw EmbedError.invalidInput("the template has no Resources section") }
        guard let o = resources.objectValue else { throw EmbedError.invalidInput("Resources must be a mapping") }
        var out: [(String, JSONObject)] = []
        for m in o.members {
            guard let r = m.value.objectValue else {
                throw EmbedError.invalidInput("resource \(m.key) must be a mapping")
            }
            out.append((m.key, r))
        }
        return out
    }

    // MARK: JSON templates

    private func transformJSON(_ text: String, resources names: [String], step: Step) throws(EmbedError) -> Output {
        let document: JSONValue
        var hints: JSONLayoutHints
        do {
            (document, hints) = try JSONValue.parseKeepingLayout(text)
        } catch {
            throw EmbedError.invalidInput("the template is not valid JSON: \(error)")
        }
        if hints.inline[[]] != nil { hints = JSONLayoutHints() }
        guard var root = document.objectValue else { throw EmbedError.invalidInput("the template must be a JSON object") }
        let all = try resourceList(root["Resources"])
        var resourcesObject = root["Resources"]!.objectValue!
        var warnings: [String] = []
        var changed: [String] = []
        for (logicalID, resource) in try selected(all, names) {
            let out = try run(step, logicalID, try properties(of: logicalID, resource))
            var r = resource
            r["Properties"] = .object(out.taskDefinition)
            resourcesObject[logicalID] = .object(r)
            warnings += out.warnings
            changed.append(logicalID)
        }
        root["Resources"] = .object(resourcesObject)
        let trailing = text.hasSuffix("\n") ? "\n" : ""
        return Output(
            text: JSONValue.object(root).serialized(JSONValue.detectLayout(of: text), keeping: hints) + trailing,
            warnings: warnings,
            resources: changed
        )
    }

    // MARK: YAML templates

    private func transformYAML(_ text: String, resources names: [String], step: Step) throws(EmbedError) -> Output {
        let node = try YAMLReader.compose(text)
        let reader = YAMLReader(text: text)
        let tree = try reader.tree(node)
        guard case .mapping(true, let rootEntries, let rootJSON) = tree else {
            throw EmbedError.invalidInput("the template must be a YAML mapping with a Resources section")
        }
        let all = try resourceList(rootJSON.objectValue?["Resources"])
        guard let resourcesEntry = rootEntries.first(where: { $0.key == "Resources" }),
            case .mapping(true, let resourceEntries, _) = resourcesEntry.value
        else {
            throw EmbedError.invalidInput("Resources must be a block mapping")
        }
        var patcher = YAMLPatcher(emitter: YAMLEmitter(step: detectStep(resourceEntries, parent: resourcesEntry)))
        var warnings: [String] = []
        var changed: [String] = []
        for (logicalID, resource) in try selected(all, names) {
            let props = try properties(of: logicalID, resource)
            let out = try run(step, logicalID, props)
            warnings += out.warnings
            changed.append(logicalID)
            guard let entry = resourceEntries.first(where: { $0.key == logicalID }),
                case .mapping(true, let fields, _) = entry.value,
                let propsEntry = fields.first(where: { $0.key == "Properties" })
            else {
                throw EmbedError.invalidInput("resource \(logicalID) must be a block mapping to be rewritten in place")
            }
            if case .mapping(true, let propEntries, _) = propsEntry.value, !propEntries.isEmpty {
                patcher.patchMapping(entries: propEntries, column: propEntries[0].column, target: out.taskDefinition)
            } else {
                // Properties written in flow style: rewritten whole, in block style.
                patcher.replace(propsEntry, .object(out.taskDefinition))
            }
        }
        return Output(text: patcher.apply(to: reader.lines), warnings: warnings, resources: changed)
    }

    /// The template's indentation step, read from how far Resources' entries sit inside it.
    private func detectStep(_ entries: [YAMLTree.Entry], parent: YAMLTree.Entry) -> Int {
        guard let first = entries.first else { return 2 }
        let step = first.column - parent.column
        return step > 0 && step <= 8 ? step : 2
    }
}
