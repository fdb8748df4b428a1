import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Issue 14 (console side): collections match task families and task IDs, in the API, the rules the console
/// resolves for a defender's hello, compliance rules and the web UI's form.
@Suite("Task collections", .serialized)
struct TaskCollectionTests {
    static let arn = "arn:aws:ecs:eu-west-1:123456789012:task/prod/0123456789abcdef0123456789abcdef"

    @Test func aCollectionKeepsItsTaskFamiliesAndTaskIDsThroughTheAPI() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let created = try await client.call(
                .post,
                "/api/v1/collections",
                token: t,
                json: ["name": "fargate", "taskFamilies": ["fargate-task*"], "taskIDs": ["0123*", "-0123dead*"]]
            )
            #expect(created.status == .created, "\(created.text)")
            #expect(created.body["taskIDs"] == ["0123*", "-0123dead*"])
            let read = try await client.call(.get, "/api/v1/collections/fargate", token: t)
            #expect(read.body["taskFamilies"] == ["fargate-task*"])
            #expect(read.body["taskIDs"] == ["0123*", "-0123dead*"])
            let listed = try await client.call(.get, "/api/v1/collections", token: t)
            #expect(listed.body["collections"]?.arrayValue?.first?["taskIDs"] == ["0123*", "-0123dead*"])
            // Replaced: the new lists are what is read back.
            let replaced = try await client.call(
                .put,
                "/api/v1/collections/fargate",
                token: t,
                json: ["name": "fargate", "taskFamilies": ["batch"], "taskIDs": ["abc"]]
            )
            #expect(replaced.status == .ok)
            let again = try await client.call(.get, "/api/v1/collections/fargate", token: t)
            #expect(again.body["taskFamilies"] == ["batch"] && again.body["taskIDs"] == ["abc"])
            // Without the new fields, a collection reads back empty lists (it matches every task).
            _ = try await client.call(.post, "/api/v1/collections", token: t, json: ["name": "plain", "appIDs": ["pay*"]])
            let plain = try await client.call(.get, "/api/v1/collections/plain", token: t)
            #expect(plain.body["taskFamilies"] == [] && plain.body["taskIDs"] == [])
        }
    }

    @Test(arguments: [
        (#"{"name": "c", "taskIDs": "abc"}"#, "taskIDs"),
        (#"{"name": "c", "taskIDs": ["a", 7]}"#, "taskIDs[1]"),
        (#"{"name": "c", "taskFamilies": ["ok", "\#(String(repeating: "x", count: 513))"]}"#, "taskFamilies[1]"),
        (#"{"name": "c", "taskIDs": ["\#(String(repeating: "x", count: 513))"]}"#, "taskIDs[0]"),
        (#"{"name": "c", "taskIDs": [\#(Array(repeating: "\"a\"", count: 1001).joined(separator: ","))]}"#, "taskIDs"),
        (#"{"name": "c", "taskIDs": ["a\u0007b"]}"#, "taskIDs[0]"),
        (#"{"name": "c", "appIDs": ["\#(String(repeating: "x", count: 513))"]}"#, "appIDs[0]"),
    ])
    func badTaskPatternsGet400NamingTheFieldAndStoreNothing(body: String, field: String) async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let r = try await client.call(.post, "/api/v1/collections", token: t, raw: body)
            #expect(r.status == .badRequest)
            #expect(r.body["error"]?["field"] == .string(field), "\(r.text.prefix(300))")
            #expect(r.body["error"]?["message"]?.stringValue?.hasPrefix(field) == true)
            #expect(try await client.call(.get, "/api/v1/collections/c", token: t).status == .notFound)
            // An update with the same input changes nothing already stored.
            _ = try await client.call(.post, "/api/v1/collections", token: t, json: ["name": "c", "taskIDs": ["kept"]])
            let update = try await client.call(.put, "/api/v1/collections/c", token: t, raw: body)
            #expect(update.status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/collections/c", token: t).body["taskIDs"] == ["kept"])
        }
    }

    @Test func rulesAndComplianceRulesTakeInlineTaskPatterns() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let rule: JSONValue = [
                "name": "fargate", "collections": [["taskFamilies": ["fargate-task*"], "taskIDs": ["0123*"]]],
                "processes": ["effect": "prevent", "denied": ["nc"]],
            ]
            #expect(try await client.call(.post, "/api/v1/policies/runtime/rules", token: t, json: rule).status == .created)
            let policy = try await client.call(.get, "/api/v1/policies/runtime", token: t)
            #expect(policy.body["rules"]?.arrayValue?.first?["collections"] == [["taskFamilies": ["fargate-task*"], "taskIDs": ["0123*"]]])
            let long = JSONValue.string(String(repeating: "x", count: 513))
            let bad = try await client.call(
                .post,
                "/api/v1/policies/runtime/rules",
                token: t,
                json: ["name": "bad", "collections": [["taskIDs": ["ok", long]]]]
            )
            #expect(bad.status == .badRequest)
            #expect(bad.body["error"]?["field"] == "collections[0].taskIDs[1]", "\(bad.text.prefix(300))")

            let compliance: JSONValue = [
                "rules": [["name": "by-task", "collections": [["taskIDs": ["0123*"]]], "checks": [["id": 424, "effect": "ignore"]]]]
            ]
            let put = try await client.call(.put, "/api/v1/compliance/rules", token: t, json: compliance)
            #expect(put.status == .ok, "\(put.text)")
            #expect(put.body["rules"]?.arrayValue?.first?["collections"] == [["taskIDs": ["0123*"]]])
            let badCompliance: JSONValue = [
                "rules": [["name": "by-task", "collections": [["taskIDs": [long]]]]]
            ]
            let refused = try await client.call(.put, "/api/v1/compliance/rules", token: t, json: badCompliance)
            #expect(refused.body["error"]?["field"] == "rules[0].collections[0].taskIDs[0]", "\(refused.text.prefix(300))")
            let kept = try await client.call(.get, "/api/v1/compliance/rules", token: t)
            #expect(kept.body["rules"]?.arrayValue?.first?["collections"] == [["taskIDs": ["0123*"]]])
        }
    }

    /// The resolver matches the task family and the task ID a hello's ARN gives, in named and inline
    /// collections, for runtime and compliance rules alike.
    @Test func theResolverPicksARuleByTaskFamilyAndTaskID() {
        let stored = [
            StoredCollection(name: "fargate", taskFamilies: ["fargate-task*"]),
            StoredCollection(name: "one-task", taskIDs: ["0123456789abcdef0123456789abcdef"]),
        ]
        func rule(_ name: String, _ collections: JSONValue) -> RuntimeRule {
            RuntimeRule(name: name, body: ["name": .string(name), "collections": collections, "processes": ["effect": "alert"]])
        }
        let policy = RuntimePolicy(
            version: 3,
            rules: [
                rule("other-task", [["taskIDs": ["ffff*"]]]),
                rule("by-id", [["name": "one-task"]]),
                rule("by-family", [["name": "fargate"]]),
                rule("batch-inline", [["taskFamilies": ["batch-*"], "appIDs": ["pay*"]]]),
            ]
        )
        let compliance = ComplianceResolver(rules: [
            ComplianceRule(name: "not-prod", collections: [["taskFamilies": ["-fargate-task-prod"]]]),
            ComplianceRule(name: "prod", collections: [["name": "fargate"]], checks: [ComplianceRuleCheck(id: 424, effect: "ignore")]),
        ])
        let resolver = PolicyResolver(policy: policy, collections: stored, compliance: compliance)
        func hello(family: String, arn: String, app: String = "payments") -> DefenderIdentity {
            DefenderIdentity(hello: DefenderHello(defenderID: "d", appID: app, taskFamily: family, taskARN: arn, container: "web", image: "img"))
        }
        let identity = hello(family: "fargate-task-prod", arn: Self.arn)
        #expect(identity.taskID == "0123456789abcdef0123456789abcdef")
        #expect(resolver.policy(for: identity).rule == "by-id")
        #expect(resolver.policy(for: hello(family: "fargate-task-prod", arn: "arn:aws:ecs:r:1:task/prod/999")).rule == "by-family")
        #expect(resolver.policy(for: hello(family: "batch-nightly", arn: "")).rule == "batch-inline")
        #expect(resolver.policy(for: hello(family: "batch-nightly", arn: "", app: "shop")).rule == nil)
        #expect(resolver.policy(for: hello(family: "web", arn: "arn:aws:ecs:r:1:task/prod/ffff01")).rule == "other-task")
        // What the defender gets is the rule without its collections.
        let document = resolver.policy(for: identity).document
        #expect(document["rules"]?.arrayValue?.first?["collections"] == nil)
        #expect(resolver.compliance(for: identity)["rule"] == "prod")
        #expect(resolver.compliance(for: hello(family: "fargate-task-dev", arn: Self.arn))["rule"] == "not-prod")
    }

    /// End to end: a real uplink whose hello carries a task family and ARN gets the rule of the collection
    /// naming its task ID, and then, once that collection names another task, the rule of its family.
    @Test func aDefenderGetsTheRuleOfItsTaskFamilyAndTaskID() async throws {
        let console = TestConsole(tls: true)
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            // makeUplink's hello: task family "payments", ARN ".../task/c/abc".
            _ = try await client.call(.post, "/api/v1/collections", token: t, json: ["name": "this-task", "taskIDs": ["abc"]])
            _ = try await client.call(.post, "/api/v1/collections", token: t, json: ["name": "pay-tasks", "taskFamilies": ["pay*"]])
            let rules: [(String, JSONValue)] = [
                ("other-family", [["taskFamilies": ["shop*"]]]), ("by-id", [["name": "this-task"]]), ("by-family", [["name": "pay-tasks"]]),
            ]
            for (name, collections) in rules {
                let r = try await client.call(
                    .post,
                    "/api/v1/policies/runtime/rules",
                    token: t,
                    json: ["name": .string(name), "collections": collections, "processes": ["effect": "prevent", "denied": ["nc"]]]
                )
                #expect(r.status == .created, "\(r.text)")
            }
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t)
            let uplink = try makeUplink(bundle: try #require(bundle.body["installBundle"]?.stringValue), folder: folder)
            let log = PolicyLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run { await log.append($0) } }
                let welcome = try await log.wait(timeout: .seconds(20)) { _ in true }
                #expect(welcome.rule == "by-id")
                let changed = try await client.call(
                    .put,
                    "/api/v1/collections/this-task",
                    token: t,
                    json: ["name": "this-task", "taskIDs": ["not-this-one"]]
                )
                #expect(changed.status == .ok)
                let pushed = try await log.wait(timeout: .seconds(5)) { $0.rule == "by-family" }
                #expect(pushed.version > welcome.version)
                group.cancelAll()
            }
        }
    }

    @Test func theCollectionFormHasTaskFieldsAndShowsErrorsAtTheField() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let (cookie, token) = try await WebUITests.logIn(client)
            let csrf = WebUI.csrf(for: token)
            let page = try await WebUITests.get(client, "/collections", cookie: cookie)
            #expect(page.text.contains(#"<label for="collectionTaskFamilies">"#) && page.text.contains(#"id="collectionTaskFamilies""#))
            #expect(page.text.contains(#"<label for="collectionTaskIDs">"#) && page.text.contains(#"name="taskIDs""#))
            let saved = try await WebUITests.post(
                client,
                "/collections/save",
                "csrf=\(csrf)&name=ui-tasks&taskFamilies=fargate-task*&taskIDs=0123abc%0D%0A4567def",
                cookie: cookie
            )
            #expect(saved.status == .seeOther)
            let stored = try await client.call(.get, "/api/v1/collections/ui-tasks", token: token)
            #expect(stored.body["taskFamilies"] == ["fargate-task*"] && stored.body["taskIDs"] == ["0123abc", "4567def"])
            let listed = try await WebUITests.get(client, "/collections", cookie: cookie)
            #expect(listed.text.contains("<td>0123abc, 4567def</td>"))
            // Too long a task ID: refused, the message at the field, what was typed kept.
            let long = String(repeating: "x", count: 513)
            let bad = try await WebUITests.post(
                client,
                "/collections/save",
                "csrf=\(csrf)&name=ui-bad&taskIDs=\(long)",
                cookie: cookie
            )
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains(#"name="taskIDs" rows="2">\#(long)</textarea><span class="field-error">taskIDs[0]: longer than 512 bytes"#))
            #expect(try await client.call(.get, "/api/v1/collections/ui-bad", token: token).status == .notFound)
        }
    }
}
