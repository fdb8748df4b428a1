import Foundation
import ScuteConsoleAPI
import ScuteCore
import ScuteStore

extension ConsoleAPI {
    /// The largest script of one custom check, bytes.
    static let maxCustomCheckScript = 64 << 10
    /// All custom checks' scripts together, bytes: they travel in the defenders' policy message, one WebSocket
    /// frame of at most 1 MiB, where JSON escaping can double a script's size.
    static let maxCustomCheckScripts = 256 << 10
    static let customCheckSeverities = ["low", "medium", "high", "critical"]

    // MARK: Custom checks

    func listCustomChecks(_ input: Operations.ListCustomChecks.Input) async throws -> Operations.ListCustomChecks.Output {
        let checks = try await store { () async throws(StoreError) in try await core.store.customChecks() }
        return .ok(.init(body: .json(.init(customChecks: checks.map(Self.schema)))))
    }

    func getCustomCheck(_ input: Operations.GetCustomCheck.Input) async throws -> Operations.GetCustomCheck.Output {
        let id = input.path.id
        guard let check = try await store({ () async throws(StoreError) in try await core.store.customCheck(id: id) }) else {
            throw APIError.notFound("no custom check \(id)")
        }
        return .ok(.init(body: .json(Self.schema(check))))
    }

    func createCustomCheck(_ input: Operations.CreateCustomCheck.Input) async throws -> Operations.CreateCustomCheck.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let check = try Self.customCheck(body, id: 0)
        try await checkScriptsTotal(adding: check)
        let stored = try await store { () async throws(StoreError) in try await core.store.createCustomCheck(check) }
        try await refresh()
        return .created(.init(body: .json(Self.schema(stored))))
    }

    func updateCustomCheck(_ input: Operations.UpdateCustomCheck.Input) async throws -> Operations.UpdateCustomCheck.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let check = try Self.customCheck(body, id: input.path.id)
        try await checkScriptsTotal(adding: check)
        try await store { () async throws(StoreError) in try await core.store.updateCustomCheck(check) }
        try await refresh()
        return .ok(.init(body: .json(Self.schema(check))))
    }

    func deleteCustomCheck(_ input: Operations.DeleteCustomCheck.Input) async throws -> Operations.DeleteCustomCheck.Output {
        let id = input.path.id
        guard try await store({ () async throws(StoreError) in try await core.store.deleteCustomCheck(id: id) }) else {
            throw APIError.notFound("no custom check \(id)")
        }
        try await refresh()
        return .noContent(.init())
    }

    /// A custom check from the API's body, with errors naming the field.
    static func customCheck(_ body: Components.Schemas.NewCustomCheck, id: Int) throws(APIError) -> CustomCheck {
        let name = try text(body.name, "name", maxLength: 200)
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw APIError.badRequest("name", "must not contain control characters")
        }
        guard !body.script.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw APIError.badRequest("script", "must not be empty")
        }
        guard body.script.utf8.count <= maxCustomCheckScript else {
            throw APIError.badRequest("script", "longer than \(maxCustomCheckScript) bytes")
        }
        guard !body.script.utf8.contains(0) else { throw APIError.badRequest("script", "must not contain NUL bytes") }
        let severity = body.severity ?? "medium"
        guard customCheckSeverities.contains(severity) else {
            throw APIError.badRequest("severity", "must be one of \(customCheckSeverities.joined(separator: ", ")), not \(severity.prefix(50))")
        }
        let timeout = body.timeoutSeconds ?? 30
        guard (1...300).contains(timeout) else { throw APIError.badRequest("timeoutSeconds", "must be from 1 to 300") }
        return CustomCheck(id: id, name: name, script: body.script, severity: severity, timeoutSeconds: timeout, updatedAt: WallClock.milliseconds())
    }

    /// Refuses a script that would take all custom checks past what one policy message carries.
    private func checkScriptsTotal(adding check: CustomCheck) async throws(APIError) {
        let others = try await store { () async throws(StoreError) in try await core.store.customChecks() }.filter { $0.id != check.id }
        let total = others.reduce(check.script.utf8.count) { $0 + $1.script.utf8.count }
        guard total <= Self.maxCustomCheckScripts else {
            throw APIError.badRequest("script", "all custom checks' scripts together would exceed \(Self.maxCustomCheckScripts) bytes")
        }
    }

    static func schema(_ c: CustomCheck) -> Components.Schemas.CustomCheck {
        .init(
            id: c.id,
            name: c.name,
            script: c.script,
            severity: c.severity,
            timeoutSeconds: c.timeoutSeconds,
            updatedAt: date(milliseconds: c.updatedAt)
        )
    }

    // MARK: Compliance rules

    func getComplianceRules(_ input: Operations.GetComplianceRules.Input) async throws -> Operations.GetComplianceRules.Output {
        let (version, rules) = try await store { () async throws(StoreError) in
            (try await core.store.policyVersion(), try await core.store.complianceRules())
        }
        return .ok(.init(body: .json(.init(version: Int(version), rules: try rules.map(Self.schema)))))
    }

    func replaceComplianceRules(_ input: Operations.ReplaceComplianceRules.Input) async throws -> Operations.ReplaceComplianceRules.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let (collections, custom) = try await store { () async throws(StoreError) in
            (Set(try await core.store.collections().map(\.name)), Set(try await core.store.customChecks().map(\.id)))
        }
        let now = WallClock.milliseconds()
        let rules = try ComplianceRuleValidator.validate(body.rules, knownCollections: collections, customChecks: custom, now: now)
        let version = try await store { () async throws(StoreError) in try await core.store.replaceComplianceRules(rules) }
        try await refresh()
        return .ok(.init(body: .json(.init(version: Int(version), rules: try rules.map(Self.schema)))))
    }

    static func schema(_ rule: ComplianceRule) throws(APIError) -> Components.Schemas.ComplianceRule {
        .init(
            name: rule.name,
            collections: try rule.collections.map { c throws(APIError) in try JSONBridge.decode(Components.Schemas.RuleCollection.self, from: c) },
            checks: rule.checks.map { .init(id: $0.id, effect: $0.effect) },
            updatedAt: date(milliseconds: rule.updatedAt)
        )
    }
}

/// Checks compliance rules sent to the API, with errors naming the field (`rules[1].checks[0].effect`).
enum ComplianceRuleValidator {
    static let effects = ["alert", "ignore"]

    static func validate(
        _ rules: [Components.Schemas.ComplianceRule],
        knownCollections: Set<String>,
        customChecks: Set<Int>,
        now: Int64
    ) throws(APIError) -> [ComplianceRule] {
        var names: Set<String> = []
        var out: [ComplianceRule] = []
        for (i, rule) in rules.enumerated() {
            let at = "rules[\(i)]"
            guard Identifiers.isValid(rule.name) else { throw APIError.badRequest("\(at).name", Identifiers.rule) }
            guard names.insert(rule.name).inserted else { throw APIError.badRequest("\(at).name", "\(rule.name) appears twice") }
            let collections = try (rule.collections ?? []).map { c throws(APIError) in try JSONBridge.value(c) }
            // The runtime rules' validator checks collections the same way (named ones must exist).
            do {
                _ = try RuleValidator.validate(["name": .string(rule.name), "collections": .array(collections)], knownCollections: knownCollections)
            } catch {
                let field = error.field.map { "\(at).\($0)" } ?? at
                let reason = error.message.split(separator: ":", maxSplits: 1).last.map { String($0.dropFirst()) } ?? error.message
                throw APIError.badRequest(field, reason)
            }
            var seen: Set<Int> = []
            var checks: [ComplianceRuleCheck] = []
            for (j, check) in (rule.checks ?? []).enumerated() {
                let field = "\(at).checks[\(j)]"
                guard ComplianceResolver.builtInChecks.contains(check.id) || customChecks.contains(check.id) else {
                    let custom = customChecks.isEmpty ? "none defined" : customChecks.sorted().map(String.init).joined(separator: ", ")
                    throw APIError.badRequest("\(field).id", "no check \(check.id) (built-in: 424, 425, 426, 448; custom: \(custom))")
                }
                guard seen.insert(check.id).inserted else { throw APIError.badRequest("\(field).id", "check \(check.id) appears twice") }
                let effect = check.effect.lowercased()
                if effect == "block" || effect == "prevent" {
                    throw APIError.badRequest(
                        "\(field).effect",
                        "\(effect) is not available for compliance: App-Embedded and Fargate defenders can only alert on compliance (use alert or ignore)"
                    )
                }
                guard effects.contains(check.effect) else {
                    throw APIError.badRequest("\(field).effect", "must be alert or ignore, not \(check.effect.prefix(50))")
                }
                checks.append(ComplianceRuleCheck(id: check.id, effect: check.effect))
            }
            out.append(ComplianceRule(name: rule.name, collections: collections, checks: checks, updatedAt: now))
        }
        return out
    }
}
