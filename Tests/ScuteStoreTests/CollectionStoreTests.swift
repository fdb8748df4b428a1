import ScuteCore
import Testing

@testable import ScuteStore

/// Issue 14: named collections keep task families and task IDs on both backends, and collections stored
/// before migration 7 (which added `task_ids`) keep working, matching every task ID.
@Suite("Collection task patterns")
struct CollectionStoreTests {
    @Test(arguments: Backend.all)
    func taskFamiliesAndTaskIDsRoundTrip(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let c = StoredCollection(
                name: "fargate",
                description: "tasks",
                taskFamilies: ["fargate-task*", "-fargate-task-test"],
                taskIDs: ["0123456789abcdef0123456789abcdef", "ab*"],
                updatedAt: 7
            )
            try await store.createCollection(c)
            #expect(try await store.collection(named: "fargate") == c)
            var changed = c
            changed.taskIDs = ["ff*"]
            changed.taskFamilies = []
            try await store.updateCollection(changed)
            #expect(try await store.collection(named: "fargate") == changed)
            #expect(try await store.collections() == [changed])
        }
    }

    /// A row written by a build before migration 7 (the column and the migration's record taken out, the row
    /// inserted with the old columns) reads back with no task IDs after the next start, and can be changed.
    @Test(arguments: Backend.all)
    func aCollectionStoredBeforeMigrationSevenKeepsWorking(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let forget =
                backend == .sqlite
                ? "DELETE FROM grdb_migrations WHERE identifier LIKE '007-%'" : "DELETE FROM scute_schema_migrations WHERE version = 7"
            try await execute(
                store,
                [
                    "ALTER TABLE collections DROP COLUMN task_ids", forget,
                    """
                    INSERT INTO collections (name, description, app_ids, images, containers, task_families, updated_at)
                    VALUES ('old', 'from before', '["pay*"]', '[]', '[]', '["web-*"]', 5)
                    """,
                ]
            )
            try await store.migrate()
            let old = try #require(try await store.collection(named: "old"))
            #expect(old == StoredCollection(name: "old", description: "from before", appIDs: ["pay*"], taskFamilies: ["web-*"], updatedAt: 5))
            #expect(old.matches(DefenderIdentity(appID: "payments", taskFamily: "web-1", taskID: "anything")))
            var changed = old
            changed.taskIDs = ["abc"]
            try await store.updateCollection(changed)
            #expect(try await store.collection(named: "old")?.taskIDs == ["abc"])
            // Migrating again changes nothing.
            try await store.migrate()
            #expect(try await store.collection(named: "old") == changed)
        }
    }

    private func execute(_ store: any ScuteStore, _ statements: [String]) async throws {
        if let s = store as? SQLiteStore {
            try await s.execute(unsafeSQL: statements)
        } else if let p = store as? PostgresStore {
            try await p.execute(unsafeSQL: statements)
        } else {
            Issue.record("no raw SQL for \(type(of: store))")
        }
    }

    @Test(arguments: [
        (["0123*"], "0123456789abcdef", true),
        (["0123*", "-0123dead*"], "0123deadbeef", false),
        (["-0123dead*"], "99", true),
        ([String](), "", true),
        (["abc"], "", false),
    ])
    func taskIDsUseWildcardsAndExcludes(patterns: [String], taskID: String, matches: Bool) {
        let c = StoredCollection(name: "c", taskIDs: patterns)
        #expect(c.matches(DefenderIdentity(appID: "a", taskID: taskID)) == matches)
    }

    @Test func aDefendersIdentityTakesTheTaskIDFromItsHelloOrRecord() {
        let arn = "arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef"
        let hello = DefenderHello(defenderID: "d", appID: "pay", taskFamily: "fargate-task-1", taskARN: arn, container: "web", image: "img")
        let expected = DefenderIdentity(
            appID: "pay",
            taskFamily: "fargate-task-1",
            taskID: "0123456789abcdef0123456789abcdef",
            container: "web",
            image: "img"
        )
        #expect(DefenderIdentity(hello: hello) == expected)
        let record = DefenderRecord(id: "d", appID: "pay", taskFamily: "fargate-task-1", taskARN: arn, container: "web", image: "img")
        #expect(record.identity == expected)
        let c = StoredCollection(name: "c", taskFamilies: ["fargate-task*"], taskIDs: ["0123*"])
        #expect(c.matches(expected))
        #expect(!c.matches(DefenderIdentity(appID: "pay", taskFamily: "other", taskID: "0123")))
        #expect(!c.matches(DefenderIdentity(appID: "pay", taskFamily: "fargate-task-1", taskID: "ffff")))
    }
}
