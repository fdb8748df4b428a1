import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteConsoleAPI
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

@Suite("Console API")
struct APITests {
    @Test func loginGivesABearerTokenWithAnExpiryAndWrongPasswordsAreRefused() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let ok = try await client.call(.post, "/api/v1/authenticate", json: ["username": "admin", "password": .string(adminPassword)])
            #expect(ok.status == .ok)
            #expect(ok.body["role"] == "admin")
            let expires = try #require(ok.body["expiresAt"]?.stringValue.flatMap(RFC3339.nanoseconds))
            #expect(expires > WallClock.nanoseconds() + 3600 * 1_000_000_000)
            let bad = try await client.call(.post, "/api/v1/authenticate", json: ["username": "admin", "password": "nope-nope"])
            #expect(bad.status == .unauthorized)
            let nobody = try await client.call(.post, "/api/v1/authenticate", json: ["username": "ghost", "password": "nope-nope"])
            #expect(nobody.status == .unauthorized)
            #expect(nobody.body["error"]?["message"] == bad.body["error"]?["message"])
        }
    }

    @Test func repeatedFailedLoginsAreThrottledEvenWithTheRightPassword() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            for _ in 0..<3 {
                let r = try await client.call(.post, "/api/v1/authenticate", json: ["username": "admin", "password": "wrong-pass"])
                #expect(r.status == .unauthorized)
            }
            let throttled = try await client.call(.post, "/api/v1/authenticate", json: ["username": "admin", "password": .string(adminPassword)])
            #expect(throttled.status == .tooManyRequests)
            #expect(throttled.headers[.retryAfter] != nil)
        }
    }

    /// Every operation of the OpenAPI document but login and health refuses a missing or forged token.
    @Test func noEndpointAnswersWithoutAValidToken() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let operations = try OpenAPIOperations.all()
        #expect(operations.count >= 25)
        // A well-formed login token signed with another key, and one signed with the right key but expired.
        let forged = try await TokenSigner(keyBytes: Array(repeating: 7, count: 32)).sign(
            .init(kind: .user, subject: "admin", role: "admin", expires: WallClock.milliseconds() / 1000 + 3600, generation: 0)
        )
        let app = try await console.app()
        let key = try #require(FileManager.default.contents(atPath: console.directory + "/token-signing.key"))
        let expired = try await TokenSigner(keyBytes: Array(key)).sign(
            .init(kind: .user, subject: "admin", role: "admin", expires: WallClock.milliseconds() / 1000 - 10, generation: 0)
        )
        try await app.test(.router) { client in
            for op in operations where op.secured {
                for token in [nil, "v1.e30.AAAA", "scute_abc.def", "garbage", forged, expired] as [String?] {
                    let r = try await client.call(op.method, op.samplePath, token: token, json: op.hasBody ? [:] : nil)
                    #expect(r.status == .unauthorized, "\(op.method) \(op.path) with \(token ?? "no token"): \(r.status)")
                }
            }
        }
    }

    /// Each role can do exactly what it may: 403 exactly where the role lacks the permission.
    @Test(arguments: Role.allCases)
    func eachRoleCanDoExactlyWhatItMay(_ role: Role) async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            if role != .admin {
                let created = try await client.call(
                    .post,
                    "/api/v1/users",
                    token: admin,
                    json: ["name": .string("u-\(role.rawValue)"), "password": "password-123", "role": .string(role.rawValue)]
                )
                #expect(created.status == .created)
            }
            let token = role == .admin ? admin : try await client.login("u-\(role.rawValue)", "password-123")
            for op in try OpenAPIOperations.all() where op.secured {
                guard case .role(let permission) = RoutePermissions.access(op.id) else {
                    Issue.record("no permission listed for \(op.id) (\(op.method) \(op.path))")
                    continue
                }
                let r = try await client.call(op.method, op.samplePath, token: token, json: op.hasBody ? [:] : nil)
                if permission.allows(role) {
                    #expect(r.status != .forbidden && r.status != .unauthorized, "\(role) \(op.method) \(op.path): \(r.status) \(r.text)")
                } else {
                    #expect(r.status == .forbidden, "\(role) \(op.method) \(op.path): \(r.status)")
                }
            }
        }
    }

    /// The table covers the document exactly: open operations are the ones the document marks `security: []`.
    @Test func thePermissionTableMatchesTheDocument() throws {
        let operations = try OpenAPIOperations.all()
        #expect(Set(operations.map(\.id)) == Set(RoutePermissions.table.keys))
        for op in operations {
            #expect((RoutePermissions.access(op.id) == .open) == !op.secured, "\(op.id)")
            // Independent of the table: the auditor only reads, and users, tokens and settings changes are the
            // admin's alone.
            guard case .role(let permission) = RoutePermissions.access(op.id) else { continue }
            if permission.allows(.auditor) { #expect(op.method == .get, "\(op.id)") }
            let adminOnly = op.path.hasPrefix("/users") || op.path.hasPrefix("/tokens") || (op.path.hasPrefix("/settings") && op.method != .get)
            #expect((permission == .administer) == adminOnly, "\(op.id)")
        }
    }

    @Test func apiTokensAuthenticateUntilDeleted() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            let created = try await client.call(.post, "/api/v1/tokens", token: admin, json: ["name": "ci", "role": "auditor"])
            #expect(created.status == .created)
            let token = try #require(created.body["token"]?.stringValue)
            let id = try #require(created.body["id"]?.stringValue)
            #expect(try await client.call(.get, "/api/v1/defenders", token: token).status == .ok)
            // The token's role is auditor: it reads, it does not write.
            #expect(try await client.call(.post, "/api/v1/collections", token: token, json: ["name": "x"]).status == .forbidden)
            // The list never shows the secret again.
            let list = try await client.call(.get, "/api/v1/tokens", token: admin)
            #expect(list.body["tokens"]?.arrayValue?.first?["token"] == nil)
            #expect(!list.text.contains(String(token.split(separator: ".").last!)))
            #expect(try await client.call(.delete, "/api/v1/tokens/\(id)", token: admin).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/defenders", token: token).status == .unauthorized)
        }
    }

    @Test(arguments: [
        ("{\"name\": ", "body"),
        ("[1, 2]", "body"),
        ("{\"name\": 5, \"appIDs\": []}", "name"),
        ("{\"name\": \"c\", \"appIDs\": \"payments\"}", "appIDs"),
        ("{\"name\": \"c\", \"appIDs\": [\"a\", 7]}", "appIDs[1]"),
        ("{\"name\": \"c\", \"colour\": \"red\"}", "colour"),
        ("", "body"),
    ])
    func badBodiesGet400NamingTheField(body: String, field: String) async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            let r = try await client.call(.post, "/api/v1/collections", token: admin, raw: body)
            #expect(r.status == .badRequest)
            #expect(r.body["error"]?["field"] == .string(field), "\(r.text)")
            #expect(r.body["error"]?["message"]?.stringValue?.hasPrefix(field) == true)
        }
    }

    @Test func oversizedBodiesGet400() async throws {
        var console = TestConsole()
        console.configuration.maxBodyBytes = 1000
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            let big: JSONValue = ["name": "c", "description": .string(String(repeating: "x", count: 5000))]
            let r = try await client.call(.post, "/api/v1/collections", token: admin, json: big)
            #expect(r.status == .badRequest)
            #expect(r.body["error"]?["field"] == "body")
        }
    }

    @Test func rulesAreCreatedReorderedUpdatedAndDeletedWithAVersion() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            #expect(try await client.call(.post, "/api/v1/collections", token: t, json: ["name": "pay", "appIDs": ["pay*"]]).status == .created)
            let r1 = try await client.call(
                .post,
                "/api/v1/policies/runtime/rules",
                token: t,
                json: ["name": "payments", "collections": [["name": "pay"]], "processes": ["effect": "prevent", "denied": ["nc"]]]
            )
            #expect(r1.status == .created)
            #expect(r1.body["version"] == 2)  // the collection was change 1
            let r2 = try await client.call(.post, "/api/v1/policies/runtime/rules?position=0", token: t, json: ["name": "first"])
            #expect(r2.body["version"] == 3)
            var policy = try await client.call(.get, "/api/v1/policies/runtime", token: t)
            #expect(policy.body["rules"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["first", "payments"])
            let order = try await client.call(.put, "/api/v1/policies/runtime/order", token: t, json: ["names": ["payments", "first"]])
            #expect(order.status == .ok && order.body["version"] == 4)
            let upd = try await client.call(
                .put,
                "/api/v1/policies/runtime/rules/first",
                token: t,
                json: ["name": "first", "dns": ["denied": ["evil.example"]]]
            )
            #expect(upd.status == .ok && upd.body["version"] == 5)
            // The policy model's own checks, with the field named.
            let bad = try await client.call(.post, "/api/v1/policies/runtime/rules", token: t, json: ["name": "x", "processes": ["effect": "block"]])
            #expect(bad.status == .badRequest)
            #expect(bad.body["error"]?["field"] == "processes.effect", "\(bad.text)")
            let unknownCollection = try await client.call(
                .post,
                "/api/v1/policies/runtime/rules",
                token: t,
                json: ["name": "y", "collections": [["name": "ghost"]]]
            )
            #expect(unknownCollection.body["error"]?["field"] == "collections[0].name")
            // A collection in use cannot be deleted.
            #expect(try await client.call(.delete, "/api/v1/collections/pay", token: t).status == .conflict)
            #expect(try await client.call(.delete, "/api/v1/policies/runtime/rules/first", token: t).body["version"] == 6)
            #expect(try await client.call(.delete, "/api/v1/policies/runtime/rules/first", token: t).status == .notFound)
            policy = try await client.call(.get, "/api/v1/policies/runtime", token: t)
            #expect(policy.body["version"] == 6)
        }
    }

    @Test func auditsAreFilteredPagedAndExportedAsCSV() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await console.app(store: store).test(.router) { client in
            let t = try await client.login()
            var audits: [StoredAudit] = []
            // Recent times: the console's retention would purge old ones while the test runs.
            let base = (Int64(Date().timeIntervalSince1970) - 3600) * 1_000_000_000
            for i in 0..<30 {
                let event = AuditEvent(
                    id: "e\(i)",
                    time: base + Int64(i) * 1_000_000_000,
                    appID: i < 20 ? "pay" : "shop",
                    type: i % 2 == 0 ? .process : .dns,
                    effect: .prevent,
                    rule: "r",
                    msg: i == 3 ? "a \"quoted\", message" : "m\(i)"
                )
                audits.append(try StoredAudit.from(json: event.json, defenderID: "d").get())
            }
            _ = try await store.insertAudits(audits)
            let page = try await client.call(.get, "/api/v1/audits/runtime?appID=pay&type=process&limit=4&offset=2&sort=time", token: t)
            #expect(page.status == .ok)
            #expect(page.body["total"] == 10)
            #expect(page.body["audits"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["e4", "e6", "e8", "e10"])
            let from = AuditEvent.iso8601(nanoseconds: base + 25_000_000_000)
            let late = try await client.call(.get, "/api/v1/audits/runtime?from=\(from)", token: t)
            #expect(late.body["total"] == 5)
            let csv = try await client.call(.get, "/api/v1/audits/runtime?format=csv&limit=1000&sort=time", token: t)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.count == 31)
            #expect(lines[0].hasPrefix("id,time,appID,container,type,effect"))
            #expect(lines[4].contains("\"a \"\"quoted\"\", message\""))
            let badTime = try await client.call(.get, "/api/v1/audits/runtime?from=yesterday", token: t)
            #expect(badTime.status == .badRequest && badTime.body["error"]?["field"] == "from")
            let badParam = try await client.call(.get, "/api/v1/audits/runtime?colour=red", token: t)
            #expect(badParam.body["error"]?["field"] == "colour")
        }
    }

    @Test func theInstallBundleCarriesTheAddressTheCAAndAWorkingDefenderToken() async throws {
        let console = TestConsole(tls: true)
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let r = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://console.example:8084", token: t)
            #expect(r.status == .ok)
            let bundle = try InstallBundle.decode(try #require(r.body["installBundle"]?.stringValue))
            #expect(bundle.consoleAddress == "wss://console.example:8084")
            let ca = try String(contentsOfFile: console.directory + "/ca.pem", encoding: .utf8)
            #expect(bundle.caCertificatePEM == ca)
            let key = try #require(FileManager.default.contents(atPath: console.directory + "/token-signing.key"))
            let claims = try #require(await TokenSigner(keyBytes: Array(key)).verify(bundle.token))
            #expect(claims.kind == .defender && claims.generation == 0)
            let bad = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ftp://x", token: t)
            #expect(bad.status == .badRequest && bad.body["error"]?["field"] == "consoleaddr")
        }
    }

    @Test func theEmbedServiceProtectsATaskDefinitionLikeTheCLI() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let r = try await client.call(
                .post,
                "/api/v1/defenders/fargate.json?consoleaddr=wss://c.example:8084&appID=pay&plainEnvironment=true",
                token: t,
                json: sampleTaskDefinition
            )
            #expect(r.status == .ok, "\(r.text)")
            let containers = try #require(r.body["containerDefinitions"]?.arrayValue)
            #expect(containers.contains { $0["name"] == "ScuteDefender" })
            let web = try #require(containers.first { $0["name"] == "web" })
            #expect(web["entryPoint"]?.stringArrayValue?.starts(with: ["/scute/defender", "rasp", "--"]) == true)
            #expect(r.text.contains("SCUTE_INSTALL_BUNDLE"))
            // The task definition keeps its own key order, as the CLI keeps it (not the sorted keys of a
            // generic JSON encoder).
            let ownOrder = #"{"family":"payments","networkMode":"awsvpc","requiresCompatibilities":["FARGATE"],"cpu":"512""#
            #expect(r.text.hasPrefix(ownOrder), "\(r.text.prefix(120))")
            let notATask = try await client.call(.post, "/api/v1/defenders/fargate.json", token: t, json: ["hello": "world"])
            #expect(notATask.status == .badRequest)
            // The web application firewall in front of a container, as `--waas` and `--waas-effect` do.
            let waas = try await client.call(
                .post,
                "/api/v1/defenders/fargate.json?consoleaddr=wss://c.example:8084&appID=pay&plainEnvironment=true&waas=web%3D8080%3A8081&waasEffect=prevent",
                token: t,
                json: sampleTaskDefinition
            )
            #expect(waas.status == .ok, "\(waas.text)")
            #expect(waas.text.contains(#"{"name":"SCUTE_WAAS","value":"web=8080:8081"}"#))
            #expect(waas.text.contains(#"{"name":"SCUTE_WAAS_EFFECT","value":"prevent"}"#))
            let badWAAS = try await client.call(
                .post,
                "/api/v1/defenders/fargate.json?consoleaddr=wss://c.example:8084&plainEnvironment=true&waas=web%3D8080",
                token: t,
                json: sampleTaskDefinition
            )
            #expect(badWAAS.status == .badRequest && badWAAS.body["error"]?["field"] == "waas")
        }
    }

    @Test func healthMetricsAndTheOpenAPIDocumentAreServed() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            #expect(try await client.call(.get, "/health").body["status"] == "ok")
            let metrics = try await client.call(.get, "/metrics")
            #expect(metrics.text.contains("scute_connected_defenders"))
            #expect(metrics.text.contains("scute_audits_ingested_total"))
            let doc = try await client.call(.get, "/api/v1/openapi.json")
            #expect(doc.body["openapi"]?.stringValue?.hasPrefix("3.") == true)
            // The served bytes are the file the generator read.
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let file = try Data(contentsOf: root.appendingPathComponent("Sources/ScuteConsoleAPI/openapi.json"))
            #expect(Array(doc.text.utf8) == Array(file))
            #expect(try await client.call(.get, "/login").text.contains("Scute console"))
        }
    }

    @Test func settingsAreValidatedAndKept() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            #expect(try await client.call(.get, "/api/v1/settings", token: t).body["defenderExpirySeconds"] == 3600)
            let r = try await client.call(.put, "/api/v1/settings", token: t, json: ["defenderExpirySeconds": 120])
            #expect(r.status == .ok && r.body["defenderExpirySeconds"] == 120)
            let bad = try await client.call(.put, "/api/v1/settings", token: t, json: ["auditRetentionDays": 0])
            #expect(bad.status == .badRequest && bad.body["error"]?["field"] == "auditRetentionDays")
            let wrongType = try await client.call(.put, "/api/v1/settings", token: t, json: ["auditRetentionDays": "7"])
            #expect(wrongType.body["error"]?["field"] == "auditRetentionDays")
        }
    }
}

/// The operations of the served OpenAPI document, with sample paths to call.
struct OpenAPIOperations {
    struct Operation {
        var id: String
        var method: HTTPRequest.Method
        var path: String
        var secured: Bool
        var hasBody: Bool
        var samplePath: String { "/api/v1" + path.replacingOccurrences(of: "{name}", with: "x").replacingOccurrences(of: "{id}", with: "x") }
    }

    static func all() throws -> [Operation] {
        let doc = try JSONValue.parse(bytes: OpenAPIDocument.bytes)
        var ops: [Operation] = []
        for member in try #require(doc["paths"]?.objectValue).members {
            for m in try #require(member.value.objectValue).members where m.key != "parameters" {
                let method = try #require(HTTPRequest.Method(m.key.uppercased()))
                let secured = m.value["security"]?.arrayValue?.isEmpty != true
                let id = try #require(m.value["operationId"]?.stringValue)
                ops.append(Operation(id: id, method: method, path: member.key, secured: secured, hasBody: m.value["requestBody"] != nil))
            }
        }
        return ops
    }
}

@Suite("Console housekeeping")
struct HousekeepingTests {
    @Test func silentDefendersAreDisconnectedAndOldOnesExpireByTheSetting() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await store.migrate()
        let now = WallClock.milliseconds()
        // Connected, but silent for a minute (its console died): should turn disconnected.
        try await store.defenderConnected(DefenderRecord(id: "silent", appID: "a"), at: now - 60_000)
        // Disconnected 10 minutes ago: expires with a 5-minute setting, not with the default hour.
        try await store.defenderConnected(DefenderRecord(id: "old", appID: "a"), at: now - 700_000)
        try await store.defenderDisconnected(id: "old", at: now - 600_000)
        try await store.defenderConnected(DefenderRecord(id: "recent", appID: "a"), at: now - 200_000)
        try await store.defenderDisconnected(id: "recent", at: now - 120_000)
        try await store.setSetting(SettingKey.defenderExpirySeconds, "300")
        try await console.app(store: store).test(.router) { client in
            let t = try await client.login()
            try await eventually("housekeeping") {
                let ids = try await client.call(.get, "/api/v1/defenders", token: t).body["defenders"]?.arrayValue?.compactMap {
                    $0["id"]?.stringValue
                }
                return ids == ["recent", "silent"]
            }
            let silent = try await client.call(.get, "/api/v1/defenders?connected=false", token: t)
            #expect(silent.body["defenders"]?.arrayValue?.count == 2)
        }
    }
}

@Suite("Console embed service")
struct EmbedServiceTests {
    @Test func aCloudFormationTemplateComesBackProtectedInItsOwnFormat() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let yaml = try String(contentsOf: root.appendingPathComponent("examples/cloudformation/service.yaml"), encoding: .utf8)
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let r = try await client.call(.post, "/api/v1/defenders/cloudformation?consoleaddr=wss://c.example:8084", token: t, raw: yaml)
            #expect(r.status == .ok, "\(r.text)")
            #expect(r.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(r.text.contains("ScuteDefender"))
            #expect(r.text.contains("SCUTE_INSTALL_BUNDLE"))
            let removed = try await client.call(.post, "/api/v1/defenders/cloudformation?remove=true", token: t, raw: r.text)
            #expect(removed.status == .ok)
            #expect(!removed.text.contains("ScuteDefender"))
            // A JSON template comes back in its own layout: every line the embed does not touch is unchanged.
            let json = try String(contentsOf: root.appendingPathComponent("examples/cloudformation/two-tasks.json"), encoding: .utf8)
            let j = try await client.call(.post, "/api/v1/defenders/cloudformation?consoleaddr=wss://c.example:8084", token: t, raw: json)
            #expect(j.status == .ok, "\(j.text)")
            #expect(j.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(j.text.contains("ScuteDefender"))
            let outputLines = Set(j.text.split(separator: "\n", omittingEmptySubsequences: false))
            let firstLines = json.split(separator: "\n").prefix(3)
            #expect(firstLines.allSatisfy { outputLines.contains($0) }, "\(j.text.prefix(300))")
            let junk = try await client.call(.post, "/api/v1/defenders/cloudformation", token: t, raw: "{\"Resources\": 5}")
            #expect(junk.status == .badRequest && junk.body["error"]?["field"] == "body")
        }
    }

    @Test func aDockerfileComesBackProtectedInAZipWithTheDefenderBundle() async throws {
        var setup = TestConsole()
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dockerfile = try String(contentsOf: root.appendingPathComponent("examples/dockerfiles/nginx-static/Dockerfile"), encoding: .utf8)
        let bundlePath = setup.directory + "-bundle.tar.gz"
        #expect(FileManager.default.createFile(atPath: bundlePath, contents: Data("not really a bundle".utf8)))
        setup.configuration.defenderBundlePath = bundlePath
        let console = setup
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: bundlePath)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let r = try await client.execute(
                uri:
                    "/api/v1/defenders/app-embedded?appID=web&consoleaddr=wss://c.example:8084&entrypoint=%5B%22%2Fdocker-entrypoint.sh%22%5D&cmd=%5B%22nginx%22%2C%22-g%22%2C%22daemon%20off%3B%22%5D",
                method: .post,
                headers: [.authorization: "Bearer \(t)"],
                body: ByteBuffer(string: dockerfile)
            ) { $0 }
            #expect(r.status == .ok, "\(String(buffer: r.body))")
            #expect(r.headers[.contentType] == "application/zip")
            let bytes = Array(r.body.readableBytesView)
            #expect(bytes.starts(with: [0x50, 0x4b, 0x03, 0x04]))
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(text.contains("Dockerfile") && text.contains("scute-defender.tar.gz") && text.contains("not really a bundle"))
            let missing = try await client.call(.post, "/api/v1/defenders/app-embedded", token: t, raw: dockerfile)
            #expect(missing.body["error"]?["field"] == "appID")
            // The same bundle, downloaded for a manual embed.
            let download = try await client.execute(uri: "/api/v1/defenders/bundle", method: .get, headers: [.authorization: "Bearer \(t)"]) { $0 }
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/gzip")
            #expect(download.headers[HTTPField.Name("Content-Disposition")!] == #"attachment; filename="scute-defender.tar.gz""#)
            #expect(String(buffer: download.body) == "not really a bundle")
        }
        // Without a bundle the endpoint says what is missing.
        var bare = TestConsole()
        bare.configuration.defenderBundlePath = nil
        let plain = bare
        defer { plain.remove() }
        try await plain.app().test(.router) { client in
            let t = try await client.login()
            let r = try await client.call(.post, "/api/v1/defenders/app-embedded?appID=web", token: t, raw: dockerfile)
            #expect(r.status == .serviceUnavailable)
            #expect(r.body["error"]?["message"]?.stringValue?.contains("--defender-bundle") == true)
            #expect(try await client.call(.get, "/api/v1/defenders/bundle", token: t).status == .serviceUnavailable)
        }
    }
}
