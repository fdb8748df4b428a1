import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import OpenAPIRuntime
import ScuteConsoleAPI
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// The main flows through the client generated from the same document as the server.
@Suite("Console API through the generated client")
struct GeneratedClientTests {
    @Test(arguments: [TestingSetup.router, TestingSetup.live])
    func logInWriteAPolicyAndReadItBack(_ setup: TestingSetup) async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(setup) { client in
            let session = try await client.api().authenticate(body: .json(.init(username: "admin", password: adminPassword)))
            let token = try session.ok.body.json.token
            #expect(try session.ok.body.json.role == .admin)
            #expect(try session.ok.body.json.expiresAt > Date().addingTimeInterval(3600))
            let api = try client.api(token: token)

            let created = try await api.createCollection(body: .json(.init(name: "pay", appIDs: ["pay*", "-pay-test"])))
            #expect(try created.created.body.json.appIDs == ["pay*", "-pay-test"])
            let rule = Components.Schemas.Rule(
                name: "payments",
                collections: [.init(name: "pay")],
                processes: .init(effect: .prevent, denied: ["nc", "curl"])
            )
            let saved = try await api.createRule(body: .json(rule))
            #expect(try saved.created.body.json.version == 2)
            let policy = try await api.getRuntimePolicy().ok.body.json
            #expect(policy.version == 2)
            #expect(policy.rules == [rule])
            let order = try await api.reorderRules(body: .json(.init(names: ["payments"])))
            #expect(try order.ok.body.json.version == 3)

            let bundle = try await api.getInstallBundle(query: .init(consoleaddr: "wss://console.example:8084")).ok.body.json
            #expect(bundle.consoleAddress == "wss://console.example:8084")
            #expect(try InstallBundle.decode(bundle.installBundle).consoleAddress == "wss://console.example:8084")
            #expect(try await api.listDefenders().ok.body.json.defenders.isEmpty)

            let settings = try await api.updateSettings(body: .json(.init(defenderExpirySeconds: 120))).ok.body.json
            #expect(settings.defenderExpirySeconds == 120)
            #expect(try await api.getSettings().ok.body.json.auditRetentionDays == 30)
            #expect(try await api.deleteRule(path: .init(name: "payments")).ok.body.json.version == 4)
        }
    }

    @Test func errorsComeBackAsTheDocumentsErrorWithTheField() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let token = try await client.login()
            let api = try client.api(token: token)
            // The policy model refuses the rule: 400 naming the field.
            let rule = Components.Schemas.Rule(name: "r", collections: [.init(name: "nowhere")])
            let bad = try await api.createRule(body: .json(rule))
            #expect(try bad.badRequest.body.json.error.field == "collections[0].name")
            // Unauthenticated and wrong-role calls.
            let anonymous = try await client.api().listUsers()
            #expect(try anonymous.unauthorized.body.json.error.message.isEmpty == false)
            let created = try await api.createToken(body: .json(.init(name: "ci", role: .auditor)))
            let auditorToken = try #require(try created.created.body.json.token)
            let auditor = try client.api(token: auditorToken)
            #expect(try await auditor.listCollections().ok.body.json.collections.isEmpty)
            let refused = try await auditor.createCollection(body: .json(.init(name: "x")))
            #expect(try refused.forbidden.body.json.error.message.isEmpty == false)
            #expect(try await api.deleteToken(path: .init(id: try created.created.body.json.id)) == .noContent(.init()))
            #expect(try await auditor.listCollections().unauthorized.body.json.error.message.isEmpty == false)
        }
    }

    @Test func auditsComeBackAsAPageOrAsCSV() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await console.app(store: store).test(.router) { client in
            let api = try client.api(token: try await client.login())
            let day: Int64 = 86_400 * 1_000_000_000
            // Days within the retention (old audits are purged while the console runs).
            let start = (Int64(Date().timeIntervalSince1970) / 86_400 - 5) * 86_400
            let audits = try (1...3).map { i in
                let event = AuditEvent(
                    id: "e\(i)",
                    time: start * 1_000_000_000 + Int64(i) * day,
                    appID: "pay",
                    type: .process,
                    effect: .prevent,
                    rule: "r",
                    msg: "m\(i)"
                )
                return try StoredAudit.from(json: event.json, defenderID: "d").get()
            }
            _ = try await store.insertAudits(audits)
            let page = try await api.listRuntimeAudits(query: .init(from: Date(timeIntervalSince1970: TimeInterval(start + 2 * 86_400)), sort: .time))
            let body = try page.ok.body.json
            #expect(body.total == 2)
            #expect(body.audits.compactMap { $0.value["id"] as? String } == ["e2", "e3"])
            let csv = try await api.listRuntimeAudits(query: .init(format: .csv), headers: .init(accept: [.init(contentType: .csv)]))
            let text = try await String(collecting: try csv.ok.body.csv, upTo: 1 << 20)
            #expect(text.hasPrefix("id,time,appID"))
            #expect(text.split(separator: "\r\n").count == 4)
        }
    }
}
