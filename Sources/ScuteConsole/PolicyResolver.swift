import ScuteCore
import ScuteStore

/// Picks the runtime rule for a defender: the first rule (in policy order) whose collections match its
/// identity. Collections in a rule are inline objects, or `{"name": ...}` referring to a stored collection;
/// the console matches them (app IDs, images, containers, task families, task IDs, `*`, `-` excludes) and sends the
/// defender that one rule with its collections taken out, in the policy model of ScuteCore.
struct PolicyResolver: Sendable {
    let policy: RuntimePolicy
    let collections: [String: StoredCollection]
    /// The compliance rules and custom checks, resolved with the same collections.
    let compliance: ComplianceResolver

    init(policy: RuntimePolicy, collections: [StoredCollection], compliance: ComplianceResolver = ComplianceResolver()) {
        self.policy = policy
        self.compliance = compliance
        var map: [String: StoredCollection] = [:]
        for c in collections { map[c.name] = c }
        self.collections = map
    }

    /// The policy document for this identity: `{"rules": [rule]}` or `{"rules": []}`.
    func policy(for identity: DefenderIdentity) -> (document: JSONValue, rule: String?) {
        for rule in policy.rules where matches(rule.body, identity) {
            guard var body = rule.body.objectValue else { continue }
            _ = body.removeValue(forKey: "collections")
            return (["rules": [.object(body)]], rule.name)
        }
        return (["rules": []], nil)
    }

    /// The compliance settings for this identity (the `compliance` key of `welcome` and `policy`).
    func compliance(for identity: DefenderIdentity) -> JSONValue {
        compliance.settings(for: identity, collections: collections)
    }

    private func matches(_ body: JSONValue, _ identity: DefenderIdentity) -> Bool {
        guard let list = body.objectValue?["collections"]?.arrayValue, !list.isEmpty else { return true }
        return list.contains { entry in
            guard let c = Self.collection(entry, stored: collections) else { return false }
            return c.matches(identity)
        }
    }

    /// An inline collection, or the stored one an entry names; nil for a name that does not exist.
    static func collection(_ entry: JSONValue, stored: [String: StoredCollection]) -> StoredCollection? {
        guard let o = entry.objectValue else { return nil }
        let name = o["name"]?.stringValue ?? ""
        let inline = o.keys.contains { $0 != "name" }
        if !inline { return stored[name] }
        return StoredCollection(
            name: name,
            appIDs: o["appIDs"]?.stringArrayValue ?? [],
            images: o["images"]?.stringArrayValue ?? [],
            containers: o["containers"]?.stringArrayValue ?? [],
            taskFamilies: o["taskFamilies"]?.stringArrayValue ?? [],
            taskIDs: o["taskIDs"]?.stringArrayValue ?? []
        )
    }
}

/// Checks a rule sent to the API against the policy model, with errors naming the field.
enum RuleValidator {
    static let collectionKeys: Set<String> = ["name", "appIDs", "images", "containers", "taskFamilies", "taskIDs"]
    /// The most patterns one field of a collection holds, and the longest pattern, bytes (as the document says).
    static let maxPatterns = 1000
    static let maxPatternBytes = 512

    /// Checks one pattern field of a collection (`appIDs`, ..., `taskIDs`), with errors naming the entry.
    static func checkPatterns(_ patterns: [String], field: String) throws(APIError) {
        guard patterns.count <= maxPatterns else { throw APIError.badRequest(field, "more than \(maxPatterns) patterns") }
        for (i, p) in patterns.enumerated() {
            guard p.utf8.count <= maxPatternBytes else { throw APIError.badRequest("\(field)[\(i)]", "longer than \(maxPatternBytes) bytes") }
            guard !p.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw APIError.badRequest("\(field)[\(i)]", "must not contain control characters")
            }
        }
    }

    /// The rule's name, once the body is a valid rule whose named collections exist.
    static func validate(_ body: JSONValue, knownCollections: Set<String>) throws(APIError) -> String {
        guard var o = body.objectValue else { throw APIError.badRequest("body", "expected a rule object, found \(body.typeName)") }
        guard let nameValue = o["name"] else { throw APIError.badRequest("name", "missing") }
        guard let name = nameValue.stringValue, Identifiers.isValid(name) else {
            throw APIError.badRequest("name", Identifiers.rule)
        }
        if let c = o["collections"], c != .null {
            guard let list = c.arrayValue else { throw APIError.badRequest("collections", "expected an array, found \(c.typeName)") }
            for (i, entry) in list.enumerated() {
                let path = "collections[\(i)]"
                guard let e = entry.objectValue else { throw APIError.badRequest(path, "expected an object, found \(entry.typeName)") }
                for key in e.keys where !collectionKeys.contains(key) {
                    throw APIError.badRequest("\(path).\(key)", "unknown field (expected one of \(collectionKeys.sorted().joined(separator: ", ")))")
                }
                for key in e.keys where key != "name" {
                    guard let patterns = e[key]?.stringArrayValue else { throw APIError.badRequest("\(path).\(key)", "expected an array of strings") }
                    try checkPatterns(patterns, field: "\(path).\(key)")
                }
                if let n = e["name"], n.stringValue == nil { throw APIError.badRequest("\(path).name", "expected a string") }
                if e.keys == ["name"], let n = e["name"]?.stringValue, !knownCollections.contains(n) {
                    throw APIError.badRequest("\(path).name", "no collection named \(n)")
                }
            }
        }
        _ = o.removeValue(forKey: "collections")
        do {
            _ = try Policy(json: ["rules": [.object(o)]])
        } catch {
            var field = error.field
            if field.hasPrefix("rules[0].") { field = String(field.dropFirst("rules[0].".count)) }
            let reason = error.description.split(separator: ":", maxSplits: 1).last.map { String($0.dropFirst()) } ?? error.description
            throw APIError.badRequest(field.isEmpty ? "body" : field, reason)
        }
        return name
    }
}
