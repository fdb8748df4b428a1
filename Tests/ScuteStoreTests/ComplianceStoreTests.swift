import Foundation
import ScuteCore
import Testing

@testable import ScuteStore

/// Custom checks and compliance rules, on both stores.
@Suite("Store: compliance rules and custom checks")
struct ComplianceStoreTests {
    static func check(_ name: String) -> CustomCheck {
        CustomCheck(name: name, script: "test -f /etc/\(name)", severity: "high", timeoutSeconds: 10, updatedAt: 1)
    }

    @Test(arguments: Backend.all)
    func customChecksGetIDsFrom9000ThatAreNeverReused(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let a = try await store.createCustomCheck(Self.check("a"))
            let b = try await store.createCustomCheck(Self.check("b"))
            #expect(a.id == 9000 && b.id == 9001)
            #expect(try await store.deleteCustomCheck(id: b.id))
            let c = try await store.createCustomCheck(Self.check("c"))
            #expect(c.id == 9002)
            var changed = a
            changed.script = "exit 1"
            changed.timeoutSeconds = 300
            let before = try await store.policyVersion()
            try await store.updateCustomCheck(changed)
            #expect(try await store.policyVersion() == before + 1)
            #expect(try await store.customCheck(id: a.id) == changed)
            #expect(try await store.customChecks().map(\.id) == [9000, 9002])
            await #expect(throws: StoreError.notFound("no custom check 9001")) { try await store.updateCustomCheck(with(changed) { $0.id = 9001 }) }
            #expect(try await store.deleteCustomCheck(id: 9001) == false)
        }
    }

    @Test(arguments: Backend.all)
    func rulesKeepTheirOrderAndACheckARuleNamesCannotBeDeleted(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let custom = try await store.createCustomCheck(Self.check("marker"))
            let rules = [
                ComplianceRule(
                    name: "payments",
                    collections: [["appIDs": ["pay*"]], ["name": "prod"]],
                    checks: [ComplianceRuleCheck(id: custom.id, effect: "alert"), ComplianceRuleCheck(id: 448, effect: "ignore")],
                    updatedAt: 5
                ),
                ComplianceRule(name: "all", updatedAt: 5),
            ]
            let before = try await store.policyVersion()
            let version = try await store.replaceComplianceRules(rules)
            #expect(version == before + 1)
            #expect(try await store.complianceRules() == rules)
            // The rule names the check: deleting it is refused and nothing changes.
            await #expect(throws: StoreError.conflict("compliance rule payments names custom check \(custom.id); change the rule first")) {
                try await store.deleteCustomCheck(id: custom.id)
            }
            #expect(try await store.customCheck(id: custom.id) != nil)
            // Rules naming a check that does not exist are refused; the stored ones stay.
            let bad = [ComplianceRule(name: "x", checks: [ComplianceRuleCheck(id: 9999, effect: "alert")])]
            await #expect(throws: StoreError.invalid("rules[0].checks[0].id: no check 9999")) { try await store.replaceComplianceRules(bad) }
            let twice = [ComplianceRule(name: "x"), ComplianceRule(name: "x")]
            await #expect(throws: StoreError.self) { try await store.replaceComplianceRules(twice) }
            #expect(try await store.complianceRules() == rules)
            // Once no rule names it, it goes.
            _ = try await store.replaceComplianceRules([rules[1]])
            #expect(try await store.deleteCustomCheck(id: custom.id))
            #expect(try await store.complianceRules().map(\.name) == ["all"])
        }
    }

    /// A database from before migration 6 (the sqlite3 shell takes its tables and its record out) gains
    /// them on the next start, with its other data kept.
    @Test func migrationSixUpgradesAnExistingDatabase() async throws {
        let dir = makeTempDirectory()
        defer { removeTree(dir) }
        let path = dir + "/scute.db"
        let store = try SQLiteStore(path: path, logger: testLogger)
        try await store.migrate()
        try await store.setSetting("k", "v")
        _ = try await store.createCustomCheck(Self.check("a"))
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        shell.arguments = [
            "-bail", path,
            "DROP TABLE custom_checks; DROP TABLE custom_check_ids; DROP TABLE compliance_rules; "
                + "DELETE FROM grdb_migrations WHERE identifier LIKE '006-%';",
        ]
        try shell.run()
        shell.waitUntilExit()
        #expect(shell.terminationStatus == 0)
        let reopened = try SQLiteStore(path: path, logger: testLogger)
        try await reopened.migrate()
        #expect(try await reopened.setting("k") == "v")
        #expect(try await reopened.customChecks().isEmpty)
        #expect(try await reopened.createCustomCheck(Self.check("b")).id == 9000)
        #expect(try await reopened.complianceRules().isEmpty)
    }
}

private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
