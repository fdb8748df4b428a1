import GRDB
import ScuteCore

extension SQLiteStore {
    public func customChecks() async throws(StoreError) -> [CustomCheck] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM custom_checks ORDER BY id").map(Self.customCheck) }
    }

    public func customCheck(id: Int) async throws(StoreError) -> CustomCheck? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM custom_checks WHERE id = ?", arguments: [id]).map(Self.customCheck) }
    }

    public func createCustomCheck(_ check: CustomCheck) async throws(StoreError) -> CustomCheck {
        try await write { db in
            let id = try Int.fetchOne(db, sql: "UPDATE custom_check_ids SET next_id = next_id + 1 WHERE id = 1 RETURNING next_id - 1") ?? 0
            var stored = check
            stored.id = id
            try db.execute(
                sql: "INSERT INTO custom_checks (id, name, script, severity, timeout_seconds, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [id, check.name, check.script, check.severity, check.timeoutSeconds, check.updatedAt]
            )
            _ = try Self.bumpVersion(db)
            return stored
        }
    }

    public func updateCustomCheck(_ check: CustomCheck) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE custom_checks SET name = ?, script = ?, severity = ?, timeout_seconds = ?, updated_at = ? WHERE id = ?",
                arguments: [check.name, check.script, check.severity, check.timeoutSeconds, check.updatedAt, check.id]
            )
            if db.changesCount == 0 { throw StoreError.notFound("no custom check \(check.id)") }
            _ = try Self.bumpVersion(db)
        }
    }

    public func deleteCustomCheck(id: Int) async throws(StoreError) -> Bool {
        try await write { db in
            let rules = try Row.fetchAll(db, sql: "SELECT * FROM compliance_rules ORDER BY position").map(Self.complianceRule)
            if let user = ComplianceRuleIntegrity.user(of: id, in: rules) {
                throw StoreError.conflict("compliance rule \(user) names custom check \(id); change the rule first")
            }
            try db.execute(sql: "DELETE FROM custom_checks WHERE id = ?", arguments: [id])
            guard db.changesCount > 0 else { return false }
            _ = try Self.bumpVersion(db)
            return true
        }
    }

    public func complianceRules() async throws(StoreError) -> [ComplianceRule] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM compliance_rules ORDER BY position").map(Self.complianceRule) }
    }

    public func replaceComplianceRules(_ rules: [ComplianceRule]) async throws(StoreError) -> Int64 {
        try await write { db in
            let ids = Set(try Int.fetchAll(db, sql: "SELECT id FROM custom_checks"))
            try ComplianceRuleIntegrity.check(rules, customIDs: ids)
            try db.execute(sql: "DELETE FROM compliance_rules")
            for (position, rule) in rules.enumerated() {
                try db.execute(
                    sql: "INSERT INTO compliance_rules (name, position, collections, checks, updated_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [rule.name, position, rule.collectionsText, rule.checksText, rule.updatedAt]
                )
            }
            return try Self.bumpVersion(db)
        }
    }

    private static func customCheck(_ row: Row) -> CustomCheck {
        CustomCheck(
            id: row["id"],
            name: row["name"],
            script: row["script"],
            severity: row["severity"],
            timeoutSeconds: row["timeout_seconds"],
            updatedAt: row["updated_at"]
        )
    }

    private static func complianceRule(_ row: Row) -> ComplianceRule {
        ComplianceRule(
            name: row["name"],
            collections: ComplianceRule.collections(from: row["collections"]),
            checks: ComplianceRule.checks(from: row["checks"]),
            updatedAt: row["updated_at"]
        )
    }
}
