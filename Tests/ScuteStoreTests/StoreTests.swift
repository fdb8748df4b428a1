import Foundation
import NIOSSL
import ScuteCore
import Testing

@testable import ScuteStore

/// The one suite both stores must pass.
@Suite("Store contract")
struct StoreContractTests {
    @Test(arguments: Backend.all)
    func migrationsRunOnceAndAgainIsANoOp(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            try await store.setSetting("k", "v")
            try await store.migrate()
            #expect(try await store.setting("k") == "v")
            #expect(try await store.policyVersion() == 0)
        }
    }

    /// Issue 9, item 8: a defender ID is enrolled once, in one step; revocation blocks its bundle.
    @Test(arguments: Backend.all)
    func defendersEnrollOnceAndBundlesCanBeBlocked(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let d1 = DefenderRecord(id: "d-1", appID: "pay", enrollmentID: "bundle-a")
            #expect(try await store.enrollDefender(d1, credentialHash: "h1", at: 10))
            #expect(try await store.enrollDefender(d1, credentialHash: "h2", at: 11) == false)
            let stored = try #require(try await store.defender(id: "d-1"))
            #expect(stored.credentialHash == "h1" && stored.enrollmentID == "bundle-a" && stored.connected && stored.isEnrolled)
            // A defender known from protocol 1 (no credential) can enroll; a revoked one cannot.
            try await store.defenderConnected(DefenderRecord(id: "d-2", appID: "pay", enrollmentID: "bundle-b"), at: 12)
            #expect(try await store.defender(id: "d-2")?.enrollmentID == "bundle-b")
            #expect(try await store.enrollDefender(DefenderRecord(id: "d-2", appID: "pay", enrollmentID: "bundle-b"), credentialHash: "h3", at: 13))
            try await store.defenderConnected(DefenderRecord(id: "d-3", appID: "pay"), at: 14)
            #expect(try await store.revokeDefender(id: "d-3", at: 15))
            #expect(try await store.enrollDefender(DefenderRecord(id: "d-3", appID: "pay"), credentialHash: "h4", at: 16) == false)
            #expect(try await store.isEnrollmentBlocked(id: "bundle-a") == false)
            try await store.blockEnrollment(id: "bundle-a", defenderID: "d-1", at: 17)
            try await store.blockEnrollment(id: "bundle-a", defenderID: "d-1", at: 18)
            #expect(try await store.isEnrollmentBlocked(id: "bundle-a"))
            #expect(try await store.revokeDefenderCredentials() == 2)
            #expect(try await store.defender(id: "d-1")?.isEnrolled == false)
        }
    }

    /// A pending enrollment is confirmed or rolled back only from the hash expected; a revoked defender's never.
    @Test(arguments: Backend.all)
    func aPendingCredentialIsConfirmedOrRolledBackOnlyFromTheExpectedHash(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let pending = DefenderRecord.pendingCredentialPrefix + "h1"
            #expect(try await store.enrollDefender(DefenderRecord(id: "d-1", appID: "pay"), credentialHash: pending, at: 10))
            #expect(try await store.defender(id: "d-1")?.confirmedCredentialHash == "h1")
            #expect(try await store.swapDefenderCredential(id: "d-1", expected: "pending:other", new: "") == false)
            #expect(try await store.swapDefenderCredential(id: "d-1", expected: pending, new: "h1"))
            #expect(try await store.defender(id: "d-1")?.credentialHash == "h1")
            // Rolled back: the ID can enroll again.
            #expect(try await store.enrollDefender(DefenderRecord(id: "d-2", appID: "pay"), credentialHash: "pending:h2", at: 11))
            #expect(try await store.swapDefenderCredential(id: "d-2", expected: "pending:h2", new: ""))
            #expect(try await store.enrollDefender(DefenderRecord(id: "d-2", appID: "pay"), credentialHash: "pending:h3", at: 12))
            #expect(try await store.revokeDefender(id: "d-2", at: 13))
            #expect(try await store.swapDefenderCredential(id: "d-2", expected: "pending:h3", new: "h3") == false)
        }
    }

    @Test(arguments: Backend.all)
    func aUsersSessionGenerationIsKept(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            var ann = User(name: "ann", passwordHash: "$2b$hash", role: .admin, createdAt: 5)
            #expect(ann.sessionGeneration == 5)
            try await store.createUser(ann)
            ann.sessionGeneration = 6
            try await store.updateUser(ann)
            #expect(try await store.user(named: "ann")?.sessionGeneration == 6)
        }
    }

    @Test(arguments: Backend.all)
    func usersAreCreatedFoundUpdatedAndDeleted(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            try await store.createUser(User(name: "ann", passwordHash: "$2b$hash", role: .admin, createdAt: 5))
            try await store.createUser(User(name: "bob", passwordHash: "$2b$other", role: .auditor, createdAt: 6))
            let duplicate = await #expect(throws: StoreError.self) {
                try await store.createUser(User(name: "ann", passwordHash: "x", role: .auditor, createdAt: 7))
            }
            #expect(duplicate?.isConflict == true)
            #expect(try await store.user(named: "ann") == User(name: "ann", passwordHash: "$2b$hash", role: .admin, createdAt: 5))
            #expect(try await store.user(named: "nobody") == nil)
            try await store.updateUser(User(name: "bob", passwordHash: "$2b$new", role: .operator, createdAt: 6))
            #expect(try await store.user(named: "bob")?.role == .operator)
            #expect(try await store.user(named: "bob")?.passwordHash == "$2b$new")
            let missing = await #expect(throws: StoreError.self) {
                try await store.updateUser(User(name: "carl", passwordHash: "x", role: .admin, createdAt: 1))
            }
            #expect(missing?.isNotFound == true)
            #expect(try await store.users().map(\.name) == ["ann", "bob"])
            #expect(try await store.deleteUser(named: "ann"))
            #expect(try await !store.deleteUser(named: "ann"))
            #expect(try await store.users().map(\.name) == ["bob"])
        }
    }

    @Test(arguments: Backend.all)
    func apiTokensRoundTrip(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let a = APIToken(id: "t1", name: "ci", userName: "ann", role: .defenderManager, secretHash: "abc", createdAt: 10, expiresAt: 99)
            let b = APIToken(id: "t2", name: "ro", userName: "ann", role: .auditor, secretHash: "def", createdAt: 11)
            try await store.createAPIToken(a)
            try await store.createAPIToken(b)
            await #expect(throws: StoreError.self) { try await store.createAPIToken(a) }
            #expect(try await store.apiToken(id: "t1") == a)
            #expect(try await store.apiToken(id: "t2")?.expiresAt == nil)
            #expect(try await store.apiTokens() == [a, b])
            #expect(try await store.deleteAPIToken(id: "t1"))
            #expect(try await store.apiToken(id: "t1") == nil)
        }
    }

    @Test(arguments: Backend.all)
    func collectionsKeepTheirPatternsAndBumpThePolicyVersion(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let c = StoredCollection(
                name: "payments",
                description: "card services",
                appIDs: ["payments*", "-payments-test"],
                images: ["*"],
                containers: [],
                taskFamilies: ["pay-*"],
                updatedAt: 3
            )
            try await store.createCollection(c)
            try await store.createCollection(StoredCollection(name: "all", appIDs: ["*"]))
            let dup = await #expect(throws: StoreError.self) { try await store.createCollection(c) }
            #expect(dup?.isConflict == true)
            #expect(try await store.collection(named: "payments") == c)
            var changed = c
            changed.images = ["registry/payments:*"]
            try await store.updateCollection(changed)
            #expect(try await store.collection(named: "payments")?.images == ["registry/payments:*"])
            let missing = await #expect(throws: StoreError.self) {
                try await store.updateCollection(StoredCollection(name: "ghost"))
            }
            #expect(missing?.isNotFound == true)
            #expect(try await store.collections().map(\.name) == ["all", "payments"])
            #expect(try await store.deleteCollection(named: "all"))
            #expect(try await !store.deleteCollection(named: "all"))
            #expect(try await store.collections().map(\.name) == ["payments"])
            // Collections change what rules match: two creations, one update, one deletion; failures count not.
            #expect(try await store.policyVersion() == 4)
        }
    }

    @Test(arguments: Backend.all)
    func rulesAreOrderedAndEveryChangeBumpsTheVersion(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            func rule(_ name: String, _ effect: String = "alert") -> RuntimeRule {
                RuntimeRule(name: name, body: ["name": .string(name), "processes": ["effect": .string(effect)]], updatedAt: 1)
            }
            #expect(try await store.createRule(rule("a"), at: nil) == 1)
            #expect(try await store.createRule(rule("b"), at: nil) == 2)
            #expect(try await store.createRule(rule("first"), at: 0) == 3)
            #expect(try await store.runtimePolicy().rules.map(\.name) == ["first", "a", "b"])
            let dup = await #expect(throws: StoreError.self) { try await store.createRule(rule("a"), at: nil) }
            #expect(dup?.isConflict == true)
            #expect(try await store.updateRule(rule("a", "prevent")) == 4)
            let a = try #require(try await store.runtimePolicy().rules.first { $0.name == "a" })
            #expect(a.body.objectValue?["processes"]?.objectValue?["effect"] == .string("prevent"))
            #expect(try await store.reorderRules(["b", "a", "first"]) == 5)
            #expect(try await store.runtimePolicy().rules.map(\.name) == ["b", "a", "first"])
            // A bad order changes nothing, not even the version.
            for bad in [["b", "a"], ["b", "a", "first", "a"], ["b", "a", "first", "zzz"]] {
                await #expect(throws: StoreError.self) { try await store.reorderRules(bad) }
            }
            #expect(try await store.policyVersion() == 5)
            #expect(try await store.deleteRule(named: "a") == 6)
            let gone = await #expect(throws: StoreError.self) { try await store.deleteRule(named: "a") }
            #expect(gone?.isNotFound == true)
            let policy = try await store.runtimePolicy()
            #expect(policy.version == 6)
            #expect(policy.rules.map(\.name) == ["b", "first"])
        }
    }

    @Test(arguments: Backend.all)
    func concurrentRuleChangesGetDistinctVersions(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let versions = try await withThrowingTaskGroup(of: Int64.self) { group in
                for i in 0..<8 {
                    group.addTask { try await store.createRule(RuntimeRule(name: "r\(i)", body: ["name": .string("r\(i)")]), at: 0) }
                }
                var out: [Int64] = []
                for try await v in group { out.append(v) }
                return out
            }
            #expect(versions.sorted() == Array(1...8))
            #expect(try await store.runtimePolicy().rules.count == 8)
        }
    }

    @Test(arguments: Backend.all)
    func defendersTrackConnectionRevocationAndExpiry(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let d = DefenderRecord(
                id: "d1",
                appID: "payments",
                taskFamily: "pay",
                taskARN: "arn:1",
                container: "web",
                image: "img:1",
                version: "0.1.0"
            )
            try await store.defenderConnected(d, at: 1000)
            var got = try #require(try await store.defender(id: "d1"))
            #expect(got.connected && got.since == 1000 && got.lastSeen == 1000 && !got.revoked)
            #expect(got.identity == DefenderIdentity(appID: "payments", taskFamily: "pay", taskID: "arn:1", container: "web", image: "img:1"))
            try await store.defendersSeen(ids: ["d1", "unknown"], at: 1500)
            #expect(try await store.defender(id: "d1")?.lastSeen == 1500)
            try await store.defenderDisconnected(id: "d1", at: 2000)
            got = try #require(try await store.defender(id: "d1"))
            #expect(!got.connected && got.since == 2000)

            try await store.defenderConnected(DefenderRecord(id: "d2", appID: "shop"), at: 100)
            try await store.defenderConnected(DefenderRecord(id: "d3", appID: "shop"), at: 100)
            try await store.defendersSeen(ids: ["d3"], at: 5000)
            // d2 has not been seen since 100: a crashed replica's defender is marked disconnected.
            #expect(try await store.markStaleDefenders(lastSeenBefore: 4000) == 1)
            #expect(try await store.defender(id: "d2")?.connected == false)
            #expect(try await store.defender(id: "d2")?.since == 100)

            #expect(try await store.revokeDefender(id: "d3", at: 6000))
            #expect(try await !store.revokeDefender(id: "nope", at: 6000))
            // A revoked defender stays revoked when it connects again.
            try await store.defenderConnected(DefenderRecord(id: "d3", appID: "shop"), at: 7000)
            #expect(try await store.defender(id: "d3")?.revoked == true)
            try await store.defenderDisconnected(id: "d3", at: 7100)

            // Disconnected before 3000: d2 (100) and d1 (2000) expire; revoked d3 is kept.
            #expect(try await store.expireDefenders(disconnectedBefore: 3000) == 2)
            #expect(try await store.defenders().map(\.id) == ["d3"])
            #expect(try await store.deleteDefender(id: "d3"))
            #expect(try await store.defenders().isEmpty)
        }
    }

    static func audit(_ i: Int, app: String = "payments", type: String = "process", effect: String = "prevent") -> StoredAudit {
        StoredAudit(
            id: "id-\(i)",
            time: Int64(i) * 1_000_000_000,
            defenderID: "d1",
            appID: app,
            container: "web",
            type: type,
            effect: effect,
            rule: i % 2 == 0 ? "even" : "odd",
            attackType: type == "process" ? "explicitlyDeniedProcess" : "explicitlyDeniedDNS",
            body: #"{"id":"id-\#(i)"}"#
        )
    }

    @Test(arguments: Backend.all)
    func auditsAreDeduplicatedByID(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let batch = (0..<20).map { Self.audit($0) }
            #expect(try await store.insertAudits(batch) == 20)
            // A redelivered batch (the ack was lost) and a batch repeating an id within itself add nothing twice.
            #expect(try await store.insertAudits(batch) == 0)
            #expect(try await store.insertAudits([Self.audit(20), Self.audit(20), Self.audit(3)]) == 1)
            #expect(try await store.audits(AuditQuery(limit: 1000)).total == 21)
        }
    }

    @Test(arguments: Backend.all)
    func auditsAreFilteredPagedAndSorted(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            var batch = (0..<30).map { Self.audit($0) }
            batch += (30..<40).map { Self.audit($0, app: "shop", type: "dns", effect: "alert") }
            _ = try await store.insertAudits(batch)

            let newest = try await store.audits(AuditQuery(limit: 5))
            #expect(newest.total == 40)
            #expect(newest.items.map(\.id) == ["id-39", "id-38", "id-37", "id-36", "id-35"])
            let page2 = try await store.audits(AuditQuery(limit: 5, offset: 5, newestFirst: false))
            #expect(page2.items.map(\.id) == ["id-5", "id-6", "id-7", "id-8", "id-9"])

            let shop = try await store.audits(AuditQuery(appID: "shop", limit: 100))
            #expect(shop.total == 10 && shop.items.allSatisfy { $0.appID == "shop" && $0.type == "dns" })
            #expect(try await store.audits(AuditQuery(type: "dns", effect: "prevent")).total == 0)
            #expect(try await store.audits(AuditQuery(effect: "alert")).total == 10)
            #expect(try await store.audits(AuditQuery(rule: "even", limit: 100)).items.count == 20)
            #expect(try await store.audits(AuditQuery(attackType: "explicitlyDeniedDNS")).total == 10)
            let window = try await store.audits(AuditQuery(from: 10_000_000_000, to: 15_000_000_000, newestFirst: false))
            #expect(window.items.map(\.id) == ["id-10", "id-11", "id-12", "id-13", "id-14"])
            #expect(window.items.first?.body == #"{"id":"id-10"}"#)
            #expect(window.items.first == Self.audit(10))

            // Retention: everything older than 35 s goes.
            #expect(try await store.deleteAudits(before: 35_000_000_000) == 35)
            #expect(try await store.audits(AuditQuery()).total == 5)
        }
    }

    /// Issue 13: audits filtered by task (family, task ID or ARN; `pay*` by prefix), container and id.
    @Test(arguments: Backend.all)
    func auditsAreFilteredByTaskContainerAndID(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            func audit(_ i: Int, family: String, arn: String, container: String) -> StoredAudit {
                StoredAudit(id: "t-\(i)", time: Int64(i) * 1_000_000_000, container: container, taskFamily: family, taskARN: arn, body: "{}")
            }
            _ = try await store.insertAudits([
                audit(1, family: "payments", arn: "arn:aws:ecs:eu-west-1:1:task/prod/4f1c", container: "web"),
                audit(2, family: "payments", arn: "arn:aws:ecs:eu-west-1:1:task/prod/9a2b", container: "worker"),
                audit(3, family: "pay_out", arn: "arn:aws:ecs:eu-west-1:1:task/prod/payable", container: "web"),
                audit(4, family: "shop", arn: "", container: "web"),
                audit(5, family: "", arn: "", container: "web"),
            ])
            func ids(_ q: AuditQuery) async throws -> [String] { try await store.audits(q).items.map(\.id) }
            #expect(try await ids(AuditQuery(task: "payments", newestFirst: false)) == ["t-1", "t-2"])
            #expect(try await ids(AuditQuery(task: "9a2b")) == ["t-2"])
            #expect(try await ids(AuditQuery(task: "arn:aws:ecs:eu-west-1:1:task/prod/4f1c")) == ["t-1"])
            // A prefix matches the family or the task ID; `_` in it is a plain character, not LIKE's wildcard.
            #expect(try await ids(AuditQuery(task: "pay*", newestFirst: false)) == ["t-1", "t-2", "t-3"])
            #expect(try await ids(AuditQuery(task: "pay_*")) == ["t-3"])
            #expect(try await ids(AuditQuery(task: "pays*")) == [])
            #expect(try await ids(AuditQuery(task: "9a*")) == ["t-2"])
            #expect(try await ids(AuditQuery(task: "pay")) == [])
            #expect(try await ids(AuditQuery(container: "worker")) == ["t-2"])
            #expect(try await ids(AuditQuery(container: "web", task: "pay*", newestFirst: false)) == ["t-1", "t-3"])
            #expect(try await ids(AuditQuery(id: "t-4")) == ["t-4"])
            #expect(try await store.audits(AuditQuery(task: "payments")).total == 2)
            let stored = try #require(try await store.audits(AuditQuery(id: "t-1")).items.first)
            #expect(stored.taskFamily == "payments" && stored.taskARN.hasSuffix("/4f1c") && stored.taskID == "4f1c")
        }
    }

    /// Issue 13: a logged-out session stays ended until its token would have expired anyway.
    @Test(arguments: Backend.all)
    func endedSessionsAreKeptUntilTheyExpire(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            #expect(try await store.isSessionEnded(tokenHash: "a") == false)
            try await store.endSession(tokenHash: "a", expiresAt: 1_000, now: 10)
            try await store.endSession(tokenHash: "a", expiresAt: 1_000, now: 10)
            #expect(try await store.isSessionEnded(tokenHash: "a"))
            #expect(try await store.isSessionEnded(tokenHash: "b") == false)
            // Ending another session after `a` expired drops `a`: its token is refused as expired by then.
            try await store.endSession(tokenHash: "b", expiresAt: 5_000, now: 2_000)
            #expect(try await store.isSessionEnded(tokenHash: "a") == false)
            #expect(try await store.isSessionEnded(tokenHash: "b"))
        }
    }

    @Test(arguments: Backend.all)
    func settingsAreUpserted(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            #expect(try await store.setting("retention") == nil)
            try await store.setSetting("retention", "30d")
            try await store.setSetting("retention", "7d")
            try await store.setSetting("expiry", "1h")
            #expect(try await store.setting("retention") == "7d")
            #expect(try await store.settings() == ["retention": "7d", "expiry": "1h"])
        }
    }
}

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test func aFileStoreIsInWALModeSynchronousFullAndKeepsItsDataAcrossReopening() async throws {
        let dir = makeTempDirectory()
        defer { removeTree(dir) }
        do {
            let store = try SQLiteStore(path: dir + "/scute.db", logger: testLogger)
            try await store.migrate()
            #expect(try await store.journalMode() == "wal")
            #expect(try await store.synchronousLevel() == 2)
            _ = try await store.createRule(RuntimeRule(name: "r", body: ["name": "r"]), at: nil)
            _ = try await store.insertAudits([StoreContractTests.audit(1)])
        }
        let reopened = try SQLiteStore(path: dir + "/scute.db", logger: testLogger)
        try await reopened.migrate()
        #expect(try await reopened.policyVersion() == 1)
        #expect(try await reopened.audits(AuditQuery()).items.map(\.id) == ["id-1"])
    }

    @Test func anUnopenableFileIsAnErrorWithoutThePath() async throws {
        let error = #expect(throws: StoreError.self) {
            _ = try SQLiteStore(path: "/proc/definitely/not/here.db", logger: testLogger)
        }
        #expect(error?.isUnavailable == true)
        #expect(error?.message.contains("/proc") == false)
    }
}

@Suite("Store model")
struct StoreModelTests {
    @Test(arguments: [
        (["payments*"], "payments-api", true),
        (["payments*", "-payments-test"], "payments-test", false),
        (["-legacy*"], "shop", true),
        (["-legacy*"], "legacy-1", false),
        ([String](), "anything", true),
        (["a", "b"], "c", false),
    ])
    func collectionFieldsUseWildcardsAndExcludes(patterns: [String], value: String, matches: Bool) {
        let c = StoredCollection(name: "c", appIDs: patterns)
        #expect(c.matches(DefenderIdentity(appID: value)) == matches)
    }

    @Test func everyFieldOfACollectionMustMatch() {
        let c = StoredCollection(name: "c", appIDs: ["pay*"], images: ["*:prod"], taskFamilies: ["-batch*"])
        #expect(c.matches(DefenderIdentity(appID: "pay", taskFamily: "web", image: "x:prod")))
        #expect(!c.matches(DefenderIdentity(appID: "pay", taskFamily: "batch-1", image: "x:prod")))
        #expect(!c.matches(DefenderIdentity(appID: "pay", taskFamily: "web", image: "x:dev")))
    }

    @Test(arguments: [Int64(0), 1_700_000_000_123_000_000, 951_782_400_000_000_000, -86_400_000_000_000])
    func rfc3339ReadsWhatAuditEventsWrite(_ nanos: Int64) {
        #expect(RFC3339.nanoseconds(AuditEvent.iso8601(nanoseconds: nanos)) == nanos)
    }

    @Test func rfc3339HandlesOffsetsAndRejectsJunk() {
        #expect(RFC3339.nanoseconds("1970-01-01T01:00:00+01:00") == 0)
        #expect(RFC3339.nanoseconds("1970-01-01T00:00:01.5Z") == 1_500_000_000)
        for junk in [
            "", "yesterday", "2026-13-01T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01T00:00:00.Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z",
        ] {
            #expect(RFC3339.nanoseconds(junk) == nil, "\(junk)")
        }
    }

    @Test func auditsAreReadFromTheDefendersJSON() throws {
        let event = AuditEvent(
            time: 1_700_000_000_000_000_000,
            appID: "pay",
            container: "web",
            type: .process,
            effect: .prevent,
            rule: "r1",
            attackType: .explicitlyDeniedProcess,
            msg: "nc denied"
        )
        let stored = try StoredAudit.from(json: event.json, defenderID: "d9").get()
        #expect(stored.id == event.id && stored.time == event.time && stored.defenderID == "d9")
        #expect(stored.appID == "pay" && stored.type == "process" && stored.effect == "prevent" && stored.rule == "r1")
        #expect(stored.attackType == "explicitlyDeniedProcess")
        #expect(stored.body == event.json.serialized(.compact))
        if case .failure(let e) = StoredAudit.from(json: ["time": 1], defenderID: "d") {
            #expect(e.message.contains("audit.id"))
        } else {
            Issue.record("an audit without an id was accepted")
        }
    }

    @Test func postgresURLsAreParsed() throws {
        let c = try PostgresClientConfigurationProbe.parse("postgres://scute:p%40ss@127.0.0.1:5433/scute?sslmode=disable")
        #expect(c.host == "127.0.0.1" && c.port == 5433 && c.username == "scute" && c.password == "p@ss" && c.database == "scute")
        let d = try PostgresClientConfigurationProbe.parse("postgresql://db.example")
        #expect(d.host == "db.example" && d.port == 5432 && d.username == "postgres" && d.database == nil)
        for bad in ["mysql://x", "postgres://:5432/x", "postgres://h:99999/x", "postgres://h/x?sslmode=maybe"] {
            let e = #expect(throws: StoreError.self) { _ = try PostgresClientConfigurationProbe.parse(bad) }
            #expect(e?.message.hasPrefix("--database") == true)
        }
        let secret = #expect(throws: StoreError.self) {
            _ = try PostgresClientConfigurationProbe.parse("postgres://u:hunter2@h:0/x")
        }
        #expect(secret?.message.contains("hunter2") == false)
    }

    /// Issue 9, item 12: `verify-full` and `verify-ca` are there, with a CA file of one's own; TLS 1.2 at least.
    @Test func postgresTLSModesVerifyTheServer() throws {
        let ca = FileManager.default.temporaryDirectory.appendingPathComponent("scute-pg-ca-\(UUID().uuidString).pem").path
        defer { try? FileManager.default.removeItem(atPath: ca) }
        try Self.testCertificatePEM.write(toFile: ca, atomically: true, encoding: .utf8)
        let full = try PostgresURL("postgres://u:p@db.example/scute?sslmode=verify-full&sslrootcert=\(ca)")
        #expect(full.tlsMode == .verifyFull && !full.tlsMode.mayBePlaintext)
        let tls = try #require(try full.tlsConfiguration())
        #expect(tls.certificateVerification == .fullVerification)
        #expect(tls.minimumTLSVersion == .tlsv12)
        if case .certificates(let roots)? = tls.trustRoots {
            #expect(roots.count == 1)
        } else {
            Issue.record("sslrootcert was not used as the trust roots")
        }
        let chainOnly = try #require(try PostgresURL("postgres://u@db.example/scute?sslmode=verify-ca").tlsConfiguration())
        #expect(chainOnly.certificateVerification == .noHostnameVerification)
        #expect(try PostgresURL("postgres://u@db.example/scute?sslmode=require").tlsConfiguration()?.certificateVerification == .fullVerification)
        #expect(try PostgresURL("postgres://u@db.example/scute").tlsMode.mayBePlaintext)
        #expect(try PostgresURL("postgres://u@db.example/scute?sslmode=disable").tlsConfiguration() == nil)
        // The description is safe to log.
        #expect(!String(describing: full).contains(":p@"))
        for bad in ["postgres://h/x?sslmode=verify-full&sslrootcert=/nonexistent.pem", "postgres://h/x?sslmode=disable&sslrootcert=\(ca)"] {
            let e = #expect(throws: StoreError.self) { _ = try PostgresURL(bad).clientConfiguration() }
            #expect(e?.message.contains("sslrootcert") == true)
        }
        let unknown = #expect(throws: StoreError.self) { _ = try PostgresURL("postgres://h/x?sslmode=maybe") }
        #expect(unknown?.message.contains("verify-full") == true)
    }

    /// Issue 9, item 9: the bounds of an audit on ingest, each refusal naming the field.
    @Test(arguments: [
        (#"{"id":"a","time":"2026-12-01T00:00:00Z","pid":1e999}"#, "audit.pid"),
        (#"{"id":"a","time":"2026-12-01T00:00:00Z","pid":-1}"#, "audit.pid"),
        (#"{"id":"a","time":"2026-12-01T00:00:00Z","count":1.5}"#, "audit.count"),
        (#"{"id":"a","time":"2026-12-01T00:00:00Z","score":1e400}"#, "audit.score"),
        (#"{"id":"a","time":"2262-04-11T00:00:00Z"}"#, "audit.time"),
        (#"{"id":"a","time":"1999-12-31T23:59:59Z"}"#, "audit.time"),
        (#"{"id":"a","time":9000000000000000000}"#, "audit.time"),
        (#"{"id":"a b","time":"2026-12-01T00:00:00Z"}"#, "audit.id"),
        (#"{"id":"a","time":"2026-12-01T00:00:00Z","rule":"r\u0000"}"#, "audit.rule"),
        (#"{"id":"a","time":"2026-12-01T00:00:00Z","type":"<b>"}"#, "audit.type"),
        (#"{"id":"a","time":"2026-12-01T00:00:00Z","msg":{"nested":true}}"#, "audit.msg"),
    ])
    func auditsOutOfBoundsAreRefusedOnIngest(json: String, field: String) throws {
        let now = try #require(RFC3339.nanoseconds("2026-12-06T00:00:00Z"))
        let result = StoredAudit.from(json: try JSONValue.parse(json), defenderID: "d", now: now)
        guard case .failure(let error) = result else {
            Issue.record("accepted \(json)")
            return
        }
        #expect(error.message.hasPrefix(field), "\(error.message)")
    }

    @Test func anIngestedAuditTakesTheChannelsAppAndANormalTime() throws {
        let now = try #require(RFC3339.nanoseconds("2026-12-06T00:00:00Z"))
        let raw = try JSONValue.parse(#"{"id":"a","time":1764979200000000000,"appID":"forged","container":"c","pid":42}"#)
        let stored = try StoredAudit.from(json: raw, defenderID: "d", appID: "pay", container: "web", now: now).get()
        #expect(stored.appID == "pay" && stored.container == "web" && stored.time == 1_764_979_200_000_000_000)
        #expect(stored.body == #"{"id":"a","time":"2025-12-06T00:00:00.000Z","appID":"pay","container":"web","pid":42}"#)
    }

    /// A throwaway self-signed CA certificate (openssl, P-256), as an `sslrootcert` file holds.
    static let testCertificatePEM = """
        -----BEGIN CERTIFICATE-----
        MIIBhTCCASugAwIBAgIUNiEqyfrJm6nOHqNZwbENJ6R6I9AwCgYIKoZIzj0EAwIw
        GDEWMBQGA1UEAwwNc2N1dGUtdGVzdC1jYTAeFw0yNjEyMDYyMTU4NDBaFw0zNjEy
        MDMyMTU4NDBaMBgxFjAUBgNVBAMMDXNjdXRlLXRlc3QtY2EwWTATBgcqhkjOPQIB
        BggqhkjOPQMBBwNCAASbBFa+8aFDzLRpJOfhWfLDsFvcQtos0PkwgiSS9oB50ldM
        eA43E3rRHip1kydjdzhKzbVvCV+FpicIJKWN2WOMo1MwUTAdBgNVHQ4EFgQUDnww
        vc/D2Y+zJQ7D8h208MZ1bVQwHwYDVR0jBBgwFoAUDnwwvc/D2Y+zJQ7D8h208MZ1
        bVQwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEAtJUS3zesLsIS
        QC5Hijb13861kqjH/OoeAf1CJuNnIawCIAR+Uek6H02ED5/JtKitrsWmSKBgGHRO
        5ZtGEZRLjw9D
        -----END CERTIFICATE-----
        """
}
