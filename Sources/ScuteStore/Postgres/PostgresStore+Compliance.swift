import Logging
import PostgresNIO
import ScuteCore

extension PostgresStore {
    public func customChecks() async throws(StoreError) -> [CustomCheck] {
        let r = try await rows("SELECT * FROM custom_checks ORDER BY id")
        return try decode { try r.map(Self.customCheck) }
    }

    public func customCheck(id: Int) async throws(StoreError) -> CustomCheck? {
        let r = try await rows("SELECT * FROM custom_checks WHERE id = \(id)")
        return try decode { try r.first.map(Self.customCheck) }
    }

    public func createCustomCheck(_ check: CustomCheck) async throws(StoreError) -> CustomCheck {
        let logger = self.logger
        return try await transaction { c in
            try await Self.lockPolicy(c, logger)
            let r = try await Self.collect(c, "UPDATE custom_check_ids SET next_id = next_id + 1 WHERE id = 1 RETURNING next_id - 1 AS id", logger)
            var stored = check
            stored.id = Int(try r.first?["id"].decode(Int64.self) ?? 0)
            try await c.query(
                """
                INSERT INTO custom_checks (id, name, script, severity, timeout_seconds, updated_at)
                VALUES (\(stored.id), \(check.name), \(check.script), \(check.severity), \(check.timeoutSeconds), \(check.updatedAt))
                """,
                logger: logger
            )
            _ = try await Self.bumpVersion(c, logger)
            return stored
        }
    }

    public func updateCustomCheck(_ check: CustomCheck) async throws(StoreError) {
        let logger = self.logger
        try await transaction { c in
            try await Self.lockPolicy(c, logger)
            let r = try await Self.collect(
                c,
                """
                UPDATE custom_checks SET name = \(check.name), script = \(check.script), severity = \(check.severity),
                    timeout_seconds = \(check.timeoutSeconds), updated_at = \(check.updatedAt)
                WHERE id = \(check.id) RETURNING 1
                """,
                logger
            )
            if r.isEmpty { throw StoreError.notFound("no custom check \(check.id)") }
            _ = try await Self.bumpVersion(c, logger)
        }
    }

    public func deleteCustomCheck(id: Int) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await transaction { c in
            try await Self.lockPolicy(c, logger)
            let rules = try await Self.collect(c, "SELECT * FROM compliance_rules ORDER BY position", logger).map(Self.complianceRule)
            if let user = ComplianceRuleIntegrity.user(of: id, in: rules) {
                throw StoreError.conflict("compliance rule \(user) names custom check \(id); change the rule first")
            }
            let r = try await Self.collect(c, "DELETE FROM custom_checks WHERE id = \(id) RETURNING 1", logger)
            guard !r.isEmpty else { return false }
            _ = try await Self.bumpVersion(c, logger)
            return true
        }
    }

    public func complianceRules() async throws(StoreError) -> [ComplianceRule] {
        let r = try await rows("SELECT * FROM compliance_rules ORDER BY position")
        return try decode { try r.map(Self.complianceRule) }
    }

    public func replaceComplianceRules(_ rules: [ComplianceRule]) async throws(StoreError) -> Int64 {
        let logger = self.logger
        return try await transaction { c in
            try await Self.lockPolicy(c, logger)
            let ids = Set(try await Self.collect(c, "SELECT id FROM custom_checks", logger).map { Int(try $0["id"].decode(Int64.self)) })
            try ComplianceRuleIntegrity.check(rules, customIDs: ids)
            try await c.query("DELETE FROM compliance_rules", logger: logger)
            for (position, rule) in rules.enumerated() {
                try await c.query(
                    """
                    INSERT INTO compliance_rules (name, position, collections, checks, updated_at)
                    VALUES (\(rule.name), \(position), \(rule.collectionsText), \(rule.checksText), \(rule.updatedAt))
                    """,
                    logger: logger
                )
            }
            return try await Self.bumpVersion(c, logger)
        }
    }

    /// Policy changes from several replicas apply one after another (as runtime rule changes do).
    private static func lockPolicy(_ c: PostgresConnection, _ logger: Logger) async throws {
        try await c.query("SELECT version FROM policy_version WHERE id = 1 FOR UPDATE", logger: logger)
    }

    private static func customCheck(_ r: PostgresRandomAccessRow) throws -> CustomCheck {
        CustomCheck(
            id: Int(try r["id"].decode(Int64.self)),
            name: try r["name"].decode(String.self),
            script: try r["script"].decode(String.self),
            severity: try r["severity"].decode(String.self),
            timeoutSeconds: Int(try r["timeout_seconds"].decode(Int32.self)),
            updatedAt: try r["updated_at"].decode(Int64.self)
        )
    }

    private static func complianceRule(_ r: PostgresRandomAccessRow) throws -> ComplianceRule {
        ComplianceRule(
            name: try r["name"].decode(String.self),
            collections: ComplianceRule.collections(from: try r["collections"].decode(String.self)),
            checks: ComplianceRule.checks(from: try r["checks"].decode(String.self)),
            updatedAt: try r["updated_at"].decode(Int64.self)
        )
    }
}
