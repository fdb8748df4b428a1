import ScuteCore
import ScuteStore

/// Picks the compliance rule for a defender (the first whose collections match it, as for runtime rules) and
/// says what its defender runs: the built-in checks the rule does not ignore, and the custom checks it sets to
/// alert, with their scripts. Sent next to the runtime policy, under `compliance` (not inside the policy
/// document: the runtime policy model knows nothing of compliance).
struct ComplianceResolver: Sendable {
    static let builtInChecks = [424, 425, 426, 448]

    let rules: [ComplianceRule]
    let customChecks: [Int: CustomCheck]

    init(rules: [ComplianceRule] = [], customChecks: [CustomCheck] = []) {
        self.rules = rules
        var map: [Int: CustomCheck] = [:]
        for c in customChecks { map[c.id] = c }
        self.customChecks = map
    }

    /// `{"rule", "checks": [424, ...], "customChecks": [{"id", "name", "script", "severity", "timeoutSeconds"}]}`.
    /// Without a matching rule every built-in check runs and no custom check does.
    func settings(for identity: DefenderIdentity, collections: [String: StoredCollection]) -> JSONValue {
        guard let rule = rules.first(where: { matches($0, identity, collections) }) else {
            return ["rule": .null, "checks": .array(Self.builtInChecks.map(JSONValue.int)), "customChecks": []]
        }
        var effects: [Int: String] = [:]
        for c in rule.checks { effects[c.id] = c.effect }
        let builtIn = Self.builtInChecks.filter { effects[$0, default: "alert"] == "alert" }
        let custom = rule.checks.filter { $0.effect == "alert" }.compactMap { customChecks[$0.id] }.sorted { $0.id < $1.id }
        return [
            "rule": .string(rule.name),
            "checks": .array(builtIn.map(JSONValue.int)),
            "customChecks": .array(
                custom.map { c in
                    [
                        "id": .int(c.id), "name": .string(c.name), "script": .string(c.script), "severity": .string(c.severity),
                        "timeoutSeconds": .int(c.timeoutSeconds),
                    ]
                }
            ),
        ]
    }

    private func matches(_ rule: ComplianceRule, _ identity: DefenderIdentity, _ collections: [String: StoredCollection]) -> Bool {
        guard !rule.collections.isEmpty else { return true }
        return rule.collections.contains { entry in
            PolicyResolver.collection(entry, stored: collections)?.matches(identity) ?? false
        }
    }
}
