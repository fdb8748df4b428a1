import NIOCore
import ScuteWAAS
import ScuteWAASProxy
import Testing

struct PolicyTests {
    @Test func readsEveryKey() throws {
        let json = """
            {
              "defaultEffect": "prevent",
              "effects": {"sqli": "ban", "protocol": "alert", "scanner": "disable"},
              "exceptions": [{"pathPrefix": "/api/ci", "locations": ["json:$.script"], "rules": ["cmdi-301"], "categories": ["cmdi"]}],
              "allowedMethods": ["get", "post"],
              "allowedContentTypes": ["application/json"],
              "bodyInspectionLimit": 65536,
              "banSeconds": 600,
              "clientAddress": "x-forwarded-for"
            }
            """
        let policy = try WAASPolicy(json: Array(json.utf8))
        #expect(policy.effect(for: .sqli) == .ban)
        #expect(policy.effect(for: .xss) == .prevent)
        #expect(policy.effect(for: .protocol) == .alert)
        #expect(policy.banSeconds == 600)
        #expect(policy.clientAddress == .forwardedFor)
        let engine = policy.engineConfiguration
        #expect(!engine.enabledCategories.contains(.scanner))
        #expect(engine.enabledCategories.contains(.sqli))
        #expect(engine.allowedMethods == ["GET", "POST"])
        #expect(engine.allowedContentTypes == ["application/json"])
        #expect(engine.limits.bodyInspectionLimit == 65536)
        #expect(
            engine.exceptions == [WAASException(path: .prefix("/api/ci"), locations: ["json:$.script"], ruleIDs: ["cmdi-301"], categories: [.cmdi])]
        )
    }

    @Test func emptyPolicyIsAlertEverywhere() throws {
        let policy = try WAASPolicy(json: Array("{}".utf8))
        #expect(WAASCategory.allCases.allSatisfy { policy.effect(for: $0) == .alert })
        #expect(policy.engineConfiguration.enabledCategories == Set(WAASCategory.allCases))
    }

    @Test func effectOverrideSetsEveryCategory() throws {
        let policy = try WAASPolicy(json: Array(#"{"effects": {"sqli": "disable", "xss": "ban"}}"#.utf8)).overriding(effect: .prevent)
        #expect(WAASCategory.allCases.allSatisfy { policy.effect(for: $0) == .prevent })
    }

    @Test(arguments: [
        (#"{"effect": "prevent"}"#, "effect: unknown key"),
        (#"{"effects": {"sqlx": "prevent"}}"#, "effects.sqlx: unknown category"),
        (#"{"effects": {"sqli": "block"}}"#, "effects.sqli: unknown effect \"block\""),
        (#"{"exceptions": [{"rules": ["nope-1"]}]}"#, "exceptions[0].rules: unknown rule \"nope-1\""),
        (#"{"exceptions": [{}]}"#, "exceptions[0]: an exception needs at least one condition"),
        (#"{"exceptions": [{"path": "/a", "pathPrefix": "/b"}]}"#, "exceptions[0]: give path or pathPrefix, not both"),
        (#"{"exceptions": [{"paths": "/a"}]}"#, "exceptions[0].paths: unknown key"),
        (#"{"banSeconds": 0}"#, "banSeconds: must be 1 to 2592000 seconds"),
        (#"{"banSeconds": "long"}"#, "banSeconds: wrong type"),
        (#"{"clientAddress": "header"}"#, "clientAddress: must be"),
        ("[1, 2", "not a JSON object"),
    ])
    func refusesWithAMessageNamingTheKey(json: String, message: String) {
        #expect {
            try WAASPolicy(json: Array(json.utf8))
        } throws: { error in
            (error as? WAASPolicyError)?.message.hasPrefix(message) == true
        }
    }

    @Test func banTableExpiresAndStaysBounded() {
        let table = BanTable(capacity: 2)
        let now = NIODeadline.uptimeNanoseconds(1_000_000_000)
        table.ban("10.0.0.1", until: now + .seconds(10), now: now)
        table.ban("10.0.0.2", until: now + .seconds(20), now: now)
        table.ban("10.0.0.3", until: now + .seconds(30), now: now)
        #expect(table.entryCount == 2)
        #expect(!table.isBanned("10.0.0.1", now: now))
        #expect(table.isBanned("10.0.0.2", now: now))
        #expect(table.isBanned("10.0.0.3", now: now + .seconds(25)))
        #expect(!table.isBanned("10.0.0.2", now: now + .seconds(25)))
        #expect(table.entryCount == 1)
    }

    @Test func eventLineIsOneJSONObject() {
        let event = WAASEvent(
            time: "2026-12-06T21:04:05.123Z",
            eventID: "00ff00ff00ff00ff",
            clientIP: "198.51.100.7",
            method: "GET",
            path: "/a\"b",
            host: "shop.example",
            category: .sqli,
            ruleID: "sqli-101",
            location: "query:id",
            excerpt: "1' OR 1=1--\n\u{1}",
            effect: .prevent
        )
        #expect(
            event.jsonLine
                == #"{"time":"2026-12-06T21:04:05.123Z","eventID":"00ff00ff00ff00ff","clientIP":"198.51.100.7","method":"GET","#
                + #""path":"/a\"b","host":"shop.example","category":"sqli","ruleID":"sqli-101","location":"query:id","#
                + #""excerpt":"1' OR 1=1--\n\u0001","effect":"prevent"}"#
        )
    }

    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        (":80", "0.0.0.0", 80),
        ("[::1]:9000", "::1", 9000),
        ("app.local:3000", "app.local", 3000),
    ])
    func parsesHostAndPort(text: String, host: String, port: Int) throws {
        let (parsedHost, parsedPort) = try WAASProxyConfiguration.hostAndPort(text)
        #expect(parsedHost == host)
        #expect(parsedPort == port)
    }

    @Test(arguments: ["8080", "host:", "host:99999", "[::1:80"])
    func refusesBadHostAndPort(text: String) {
        #expect(throws: WAASProxyError.self) { try WAASProxyConfiguration.hostAndPort(text) }
    }
}
