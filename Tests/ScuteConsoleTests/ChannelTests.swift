import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Policies an uplink received, for tests to wait on.
actor PolicyLog {
    private(set) var received: [UplinkPolicy] = []

    func append(_ p: UplinkPolicy) { received.append(p) }

    /// Waits until a received policy satisfies `predicate`; returns it and how long it took.
    func wait(timeout: Duration = .seconds(5), _ predicate: @Sendable (UplinkPolicy) -> Bool) async throws -> UplinkPolicy {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let p = received.last(where: predicate) { return p }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw ConsoleError.setup("no matching policy within \(timeout); got \(received.map(\.document))")
    }
}

func eventually(timeout: Duration = .seconds(15), _ what: String, _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("timed out waiting for \(what)")
}

/// A TCP port free right now on loopback.
func freePort() throws -> Int {
    let channel = try ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress!.port!
    try channel.close().wait()
    return port
}

func makeUplink(
    bundle: String,
    folder: String,
    app: String = "payments-api",
    id: String = "defender-1",
    container: String = "web",
    transport: (any UplinkTransport)? = nil
) throws -> Uplink {
    var hello = DefenderHello(defenderID: id, appID: app, taskFamily: "payments", container: container, image: "registry/pay:1", version: "0.1.0")
    hello.taskARN = "arn:aws:ecs:eu-west-1:1:task/c/abc"
    return try Uplink(
        configuration: UplinkConfiguration(
            bundle: try InstallBundle.decode(bundle),
            dataFolder: folder,
            hello: hello,
            heartbeat: .milliseconds(300),
            reconnectDelay: .milliseconds(50),
            maxReconnectDelay: .milliseconds(200),
            ackTimeout: .seconds(5),
            transport: transport
        ),
        logger: quietLogger
    )
}

func events(_ range: Range<Int>, app: String = "payments-api") -> [AuditEvent] {
    range.map { i in
        AuditEvent(
            id: "audit-\(i)",
            // Recent: older audits are purged by the housekeeping (30 days) and refused on ingest (before 2000).
            time: WallClock.nanoseconds() - 60_000_000_000 + Int64(i),
            appID: app,
            type: .process,
            effect: .prevent,
            rule: "payments",
            msg: "nc denied"
        )
    }
}

@Suite("Defender channel", .serialized)
struct ChannelTests {
    @Test func aDefenderGetsItsPolicyAtOnceAndEveryChangeWithinASecond() async throws {
        let console = TestConsole(tls: true)
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            _ = try await client.call(
                .post,
                "/api/v1/policies/runtime/rules",
                token: t,
                json: ["name": "shop-only", "collections": [["appIDs": ["shop*"]]], "processes": ["effect": "alert", "denied": ["curl"]]]
            )
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t)
            let uplink = try makeUplink(bundle: try #require(bundle.body["installBundle"]?.stringValue), folder: folder)
            let log = PolicyLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run { await log.append($0) } }
                // The first rule does not match payments-api: an empty policy, over TLS with the bundle's CA.
                let welcome = try await log.wait { _ in true }
                #expect(welcome.version == 1 && welcome.rule == nil)
                #expect(welcome.document["rules"]?.arrayValue?.isEmpty == true)

                let created = try await client.call(
                    .post,
                    "/api/v1/policies/runtime/rules",
                    token: t,
                    json: ["name": "payments", "collections": [["appIDs": ["payments*"]]], "processes": ["effect": "prevent", "denied": ["nc"]]]
                )
                #expect(created.status == .created)
                // From the stored change to the defender: the propagation itself (the API call before it is
                // the request's own time, which a loaded test machine stretches).
                let start = ContinuousClock.now
                let pushed = try await log.wait(timeout: .seconds(1)) { $0.rule == "payments" }
                #expect(ContinuousClock.now - start < .seconds(1))
                // What arrives is a policy the defender's model reads, and it denies nc.
                let policy = try pushed.policy()
                let rule = try #require(policy.rule(for: AppIdentity(appID: "payments-api")))
                #expect(rule.processes.effect == .prevent)
                #expect(rule.processes.denied.map(\.pattern) == ["nc"])
                // The cache in the data folder has it too.
                let cached = try String(contentsOfFile: folder + "/policy.json", encoding: .utf8)
                #expect(cached.contains("\"payments\""))
                // A change to a rule that does not apply to this defender sends nothing new.
                let before = await log.received.count
                _ = try await client.call(
                    .put,
                    "/api/v1/policies/runtime/rules/shop-only",
                    token: t,
                    json: ["name": "shop-only", "collections": [["appIDs": ["shop*"]]]]
                )
                try await Task.sleep(for: .milliseconds(300))
                #expect(await log.received.count == before)
                group.cancelAll()
            }
        }
    }

    @Test func auditsAreStoredAcknowledgedDeduplicatedAndQueryable() async throws {
        let console = TestConsole(tls: true)
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t)
            let uplink = try makeUplink(bundle: try #require(bundle.body["installBundle"]?.stringValue), folder: folder)
            try uplink.send(events(0..<250))
            try uplink.send(events(200..<300))  // 50 redelivered ids
            #expect(uplink.spool.pending().count == 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run() }
                try await eventually("the spool to drain") { uplink.spool.pending().isEmpty }
                let r = try await client.call(.get, "/api/v1/audits/runtime?appID=payments-api&limit=1", token: t)
                #expect(r.body["total"] == 300)
                #expect(r.body["audits"]?.arrayValue?.first?["msg"] == "nc denied")
                let defenders = try await client.call(.get, "/api/v1/defenders", token: t)
                let d = try #require(defenders.body["defenders"]?.arrayValue?.first)
                #expect(d["id"] == "defender-1" && d["status"] == "connected" && d["taskFamily"] == "payments")
                #expect(d["statusText"]?.stringValue?.hasPrefix("connected for") == true)
                let metrics = try await client.call(.get, "/metrics")
                #expect(metrics.text.contains("scute_audits_ingested_total 300"))
                #expect(metrics.text.contains("scute_audit_duplicates_total 50"))
                group.cancelAll()
            }
            // The link is gone: the defender shows disconnected within seconds.
            try await eventually("the defender to show disconnected") {
                try await client.call(.get, "/api/v1/defenders", token: t).body["defenders"]?.arrayValue?.first?["status"] == "disconnected"
            }
        }
    }

    @Test func auditsSpooledWhileTheConsoleIsDownOrRestartingAreNotLost() async throws {
        var setup = TestConsole(tls: true)
        setup.configuration.channelPort = try freePort()
        let console = setup
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        // Get a bundle from a first run, then stop that console.
        let bundle = try await console.app().test(.router) { client in
            let t = try await client.login()
            return try #require(
                try await client.call(
                    .get,
                    "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(console.configuration.channelPort)",
                    token: t
                )
                .body["installBundle"]?.stringValue
            )
        }
        let uplink = try makeUplink(bundle: bundle, folder: folder)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await uplink.run() }
            // The console is down: audits wait on disk.
            try uplink.send(events(0..<100))
            try await Task.sleep(for: .milliseconds(300))
            #expect(uplink.spool.pending() == [1])
            // It comes back; they arrive. Then it goes down again mid-stream and comes back once more.
            for round in 0..<2 {
                try await console.app().test(.router) { client in
                    let t = try await client.login()
                    try await eventually("round \(round): the spool to drain") { uplink.spool.pending().isEmpty }
                    try uplink.send(events((100 + round * 100)..<(200 + round * 100)))
                    if round == 0 {
                        try await eventually("round 0: the second batch to drain") { uplink.spool.pending().isEmpty }
                    }
                    _ = t
                }
            }
            try await console.app().test(.router) { client in
                let t = try await client.login()
                try await eventually("the last batch to drain") { uplink.spool.pending().isEmpty }
                #expect(try await client.call(.get, "/api/v1/audits/runtime?limit=1", token: t).body["total"] == 300)
            }
            group.cancelAll()
        }
    }

    @Test func revokedDefendersAndRotatedTokensAreShutOut() async throws {
        let console = TestConsole(tls: true)
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try #require(
                try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t).body["installBundle"]?
                    .stringValue
            )
            let uplink = try makeUplink(bundle: bundle, folder: folder)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run() }
                try await eventually("connect") { uplink.isConnected }
                #expect(try await client.call(.post, "/api/v1/defenders/defender-1/revoke", token: t).status == .noContent)
                try await eventually("the refusal") { uplink.refusal != nil }
                #expect(uplink.refusal?.contains("revoked") == true)
                try await Task.sleep(for: .milliseconds(300))
                #expect(!uplink.isConnected)
                let d = try await client.call(.get, "/api/v1/defenders", token: t).body["defenders"]?.arrayValue?.first
                #expect(d?["status"] == "revoked")
                group.cancelAll()
            }
            // Rotation: a second defender with the old bundle is refused at the upgrade.
            #expect(try await client.call(.post, "/api/v1/defenders/install-bundle/rotate", token: t).body["generation"] == 1)
            let other = try makeUplink(bundle: bundle, folder: folder + "-2", id: "defender-2")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await other.run() }
                try await Task.sleep(for: .milliseconds(500))
                #expect(!other.isConnected)
                group.cancelAll()
            }
            try? FileManager.default.removeItem(atPath: folder + "-2")
        }
    }

    /// Two consoles on one database: a rule saved through one reaches a defender connected to the other.
    @Test func aRuleSavedOnOneReplicaReachesADefenderOnAnother() async throws {
        let a = TestConsole(tls: false)
        var second = TestConsole(tls: false)
        second.configuration.dataFolder = a.directory  // same keys and database file
        let b = second
        let folder = a.directory + "-uplink"
        defer {
            a.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await a.app().test(.router) { clientA in
            let t = try await clientA.login()
            try await b.app().test(.router) { _ in
                let portB = try await b.runtime.waitForChannelPort()
                let bundle = try #require(
                    try await clientA.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(portB)", token: t)
                        .body["installBundle"]?.stringValue
                )
                let uplink = try makeUplink(bundle: bundle, folder: folder)
                let log = PolicyLog()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await uplink.run { await log.append($0) } }
                    _ = try await log.wait { _ in true }
                    let start = ContinuousClock.now
                    _ = try await clientA.call(
                        .post,
                        "/api/v1/policies/runtime/rules",
                        token: t,
                        json: ["name": "everyone", "dns": ["effect": "prevent", "denied": ["evil.example"]]]
                    )
                    _ = try await log.wait(timeout: .seconds(2)) { $0.rule == "everyone" }
                    #expect(ContinuousClock.now - start < .seconds(2))
                    group.cancelAll()
                }
            }
        }
    }
}

@Suite("Console set-up")
struct SetupTests {
    @Test func firstStartMakesTheFolderTheCertificatesAndOneAdmin() async throws {
        var setup = TestConsole(tls: true)
        setup.configuration.adminPassword = nil
        setup.configuration.subjectAlternativeNames = ["console.example", "10.1.2.3", "::1"]
        let console = setup
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let password = try #require(console.runtime.generatedAdminPassword)
            _ = try await client.login("admin", password)
        }
        let attributes = try FileManager.default.attributesOfItem(atPath: console.directory)
        #expect((attributes[.posixPermissions] as? Int) == 0o700)
        let keyMode = try FileManager.default.attributesOfItem(atPath: console.directory + "/ca-key.pem")[.posixPermissions] as? Int
        #expect(keyMode == 0o600)
        let pem = try String(contentsOfFile: console.directory + "/server.pem", encoding: .utf8)
        let caPEM = try String(contentsOfFile: console.directory + "/ca.pem", encoding: .utf8)
        let text = try X509Probe.describe(server: pem, ca: caPEM)
        #expect(text.sans == ["console.example", "10.1.2.3", "::1"])
        #expect(text.issuedByCA)
        // A second start keeps everything: same CA, no new admin, the same password still works.
        let runtime2 = ConsoleRuntime()
        let app2 = try await buildApplication(configuration: console.configuration, runtime: runtime2, logger: quietLogger, announce: { _ in })
        try await app2.test(.router) { _ in }
        #expect(runtime2.generatedAdminPassword == nil)
        #expect(try String(contentsOfFile: console.directory + "/ca.pem", encoding: .utf8) == caPEM)
    }

    @Test func aMissingServerCertificateIsIssuedAgainFromTheSameCA() async throws {
        var console = TestConsole(tls: true)
        defer { console.remove() }
        try await console.app().test(.router) { _ in }
        let ca = try String(contentsOfFile: console.directory + "/ca.pem", encoding: .utf8)
        try FileManager.default.removeItem(atPath: console.directory + "/server.pem")
        console.configuration.subjectAlternativeNames = ["new.example"]
        try await console.app().test(.router) { _ in }
        #expect(try String(contentsOfFile: console.directory + "/ca.pem", encoding: .utf8) == ca)
        let probe = try X509Probe.describe(
            server: try String(contentsOfFile: console.directory + "/server.pem", encoding: .utf8),
            ca: ca
        )
        #expect(probe.sans == ["new.example"] && probe.issuedByCA)
    }
}

/// The issue's replica set-up: two consoles, each with its own pool, on one PostgreSQL database.
@Suite("Console replicas on PostgreSQL", .enabled(if: ProcessInfo.processInfo.environment["SCUTE_TEST_POSTGRES_URL"].map { !$0.isEmpty } ?? false))
struct PostgresReplicaTests {
    @Test func aRuleSavedOnOneReplicaReachesADefenderOnAnotherByNotify() async throws {
        let url = try #require(ProcessInfo.processInfo.environment["SCUTE_TEST_POSTGRES_URL"])
        let schema = "r_" + UUID().uuidString.lowercased().filter { $0 != "-" }.prefix(16)
        var first = TestConsole(tls: true)
        // A long poll interval: what arrives within the test's bound came by LISTEN/NOTIFY.
        first.configuration.policyPollMilliseconds = 60_000
        let a = first
        var second = TestConsole(tls: true)
        second.configuration.dataFolder = a.directory  // replicas share the keys, not the SQLite file
        second.configuration.policyPollMilliseconds = 60_000
        let b = second
        let folder = a.directory + "-uplink"
        defer {
            a.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        let storeA = try PostgresStore(url: url, searchPath: String(schema), logger: quietLogger)
        let storeB = try PostgresStore(url: url, searchPath: String(schema), logger: quietLogger)
        try await a.app(store: storeA).test(.router) { clientA in
            let t = try await clientA.login()
            try await b.app(store: storeB).test(.router) { clientB in
                // B sees A's admin and A's token: one database, one key.
                #expect(try await clientB.call(.get, "/api/v1/defenders", token: t).status == .ok)
                let portB = try await b.runtime.waitForChannelPort()
                let bundle = try #require(
                    try await clientA.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(portB)", token: t)
                        .body["installBundle"]?.stringValue
                )
                let uplink = try makeUplink(bundle: bundle, folder: folder)
                let log = PolicyLog()
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await uplink.run { await log.append($0) } }
                    _ = try await log.wait { _ in true }
                    let start = ContinuousClock.now
                    let created = try await clientA.call(
                        .post,
                        "/api/v1/policies/runtime/rules",
                        token: t,
                        json: ["name": "everyone", "processes": ["effect": "prevent", "denied": ["nc"]]]
                    )
                    #expect(created.status == .created)
                    _ = try await log.wait(timeout: .seconds(2)) { $0.rule == "everyone" }
                    #expect(ContinuousClock.now - start < .seconds(2))  // the issue's bound; polling is off (60 s)
                    // Audits sent to B are queryable through A.
                    try uplink.send(events(0..<50))
                    try await eventually("the audits to reach A") {
                        try await clientA.call(.get, "/api/v1/audits/runtime?limit=1", token: t).body["total"] == 50
                    }
                    group.cancelAll()
                }
            }
        }
        // Clean up the schema with a third pool.
        let cleaner = try PostgresStore(url: url, logger: quietLogger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await cleaner.run() }
            try await cleaner.dropSchema(String(schema))
            group.cancelAll()
        }
    }
}
