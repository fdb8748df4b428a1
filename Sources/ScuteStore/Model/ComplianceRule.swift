import ScuteCore

/// A custom compliance check: a shell script the defenders run in their container (`sh -c`), with a clean
/// environment and a timeout; exit 0 passes. Its id (9000 and up) is the `check` of its findings.
public struct CustomCheck: Sendable, Equatable {
    /// The first id the console assigns; ids are never reused.
    public static let firstID = 9000

    /// Assigned by the store on creation (0 before).
    public var id: Int
    public var name: String
    public var script: String
    /// `low`, `medium`, `high` or `critical`.
    public var severity: String
    public var timeoutSeconds: Int
    public var updatedAt: Int64

    public init(id: Int = 0, name: String, script: String, severity: String, timeoutSeconds: Int, updatedAt: Int64 = 0) {
        self.id = id
        self.name = name
        self.script = script
        self.severity = severity
        self.timeoutSeconds = timeoutSeconds
        self.updatedAt = updatedAt
    }
}

/// One check's effect in a compliance rule.
public struct ComplianceRuleCheck: Sendable, Equatable {
    /// 424, 425, 426, 448, or a custom check's id.
    public var id: Int
    /// `alert` or `ignore`.
    public var effect: String

    public init(id: Int, effect: String) {
        self.id = id
        self.effect = effect
    }
}

/// A compliance rule: which checks run, and with what effect, for the defenders its collections match.
/// Rules are ordered; the first that matches a defender applies, as with runtime rules.
public struct ComplianceRule: Sendable, Equatable {
    public var name: String
    /// The rule's collections: inline objects, or `{"name": ...}` naming a stored collection (as in runtime rules).
    public var collections: [JSONValue]
    public var checks: [ComplianceRuleCheck]
    public var updatedAt: Int64

    public init(name: String, collections: [JSONValue] = [], checks: [ComplianceRuleCheck] = [], updatedAt: Int64 = 0) {
        self.name = name
        self.collections = collections
        self.checks = checks
        self.updatedAt = updatedAt
    }

    /// The checks list as stored: `[{"id": 424, "effect": "alert"}, ...]`.
    var checksText: String {
        JSONValue.array(checks.map { ["id": .int($0.id), "effect": .string($0.effect)] }).serialized(.compact)
    }

    var collectionsText: String { JSONValue.array(collections).serialized(.compact) }

    static func checks(from text: String) -> [ComplianceRuleCheck] {
        (JSONValueBridge.parse(text).arrayValue ?? []).compactMap { entry in
            guard let o = entry.objectValue, let id = o["id"]?.intValue, let effect = o["effect"]?.stringValue else { return nil }
            return ComplianceRuleCheck(id: id, effect: effect)
        }
    }

    static func collections(from text: String) -> [JSONValue] {
        JSONValueBridge.parse(text).arrayValue ?? []
    }
}

/// Checks a new list of compliance rules against the stored custom checks, in the store's transaction (an
/// API replica may have validated against a list another replica changed since).
enum ComplianceRuleIntegrity {
    static let builtIn: Set<Int> = [424, 425, 426, 448]

    static func check(_ rules: [ComplianceRule], customIDs: Set<Int>) throws(StoreError) {
        var names: Set<String> = []
        for (i, rule) in rules.enumerated() {
            guard names.insert(rule.name).inserted else { throw .invalid("rules[\(i)].name: \(rule.name) appears twice") }
            for (j, c) in rule.checks.enumerated() where !builtIn.contains(c.id) && !customIDs.contains(c.id) {
                throw .invalid("rules[\(i)].checks[\(j)].id: no check \(c.id)")
            }
        }
    }

    /// The first rule that names check `id`, if any.
    static func user(of id: Int, in rules: [ComplianceRule]) -> String? {
        rules.first { rule in rule.checks.contains { $0.id == id } }?.name
    }
}
