import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Issue 11 (console side): custom checks and compliance rules in the API, delivered to defenders next to
/// their runtime policy, run by a real defender, and its findings back in the results API.
@Suite("Compliance rules and custom checks", .serialized)
struct ComplianceRulesTests {
    static let checks = "/api/v1/compliance/custom-checks"
    static let rules = "/api/v1/compliance/rules"

    @Test func customChecksAreDefinedChangedAndDeletedWithErrorsNamingTheField() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let created = try await client.call(
                .post,
                Self.checks,
                token: t,
                json: ["name": "No debug shell", "script": "test ! -e /usr/bin/gdb", "severity": "high"]
            )
            #expect(created.status == .created, "\(created.text)")
            #expect(created.body["id"] == 9000 && created.body["timeoutSeconds"] == 30 && created.body["severity"] == "high")
            let second = try await client.call(.post, Self.checks, token: t, json: ["name": "Second", "script": "true"])
            #expect(second.body["id"] == 9001 && second.body["severity"] == "medium")

            // Bad input is refused naming the field; nothing stored changes.
            let bad: [(JSONValue, String)] = [
                (["name": "", "script": "true"], "name"),
                (["name": "x", "script": "  \n"], "script"),
                (["name": "x", "script": .string(String(repeating: "#", count: 65537))], "script"),
                (["name": "x", "script": "true", "severity": "dire"], "severity"),
                (["name": "x", "script": "true", "timeoutSeconds": 0], "timeoutSeconds"),
                (["name": "x", "script": "true", "timeoutSeconds": 301], "timeoutSeconds"),
                (["name": "x", "script": "true", "bogus": 1], "bogus"),
                (["name": "x"], "script"),
            ]
            for (body, field) in bad {
                let r = try await client.call(.post, Self.checks, token: t, json: body)
                #expect(r.status == .badRequest && r.body["error"]?["field"] == .string(field), "\(body.serialized(.compact)): \(r.text)")
                let u = try await client.call(.put, Self.checks + "/9000", token: t, json: body)
                #expect(u.status == .badRequest && u.body["error"]?["field"] == .string(field), "\(body.serialized(.compact)): \(u.text)")
            }
            let kept = try await client.call(.get, Self.checks + "/9000", token: t)
            #expect(kept.body["script"] == "test ! -e /usr/bin/gdb" && kept.body["name"] == "No debug shell")

            let updated = try await client.call(
                .put,
                Self.checks + "/9000",
                token: t,
                json: ["name": "No gdb", "script": "exit 0", "severity": "critical", "timeoutSeconds": 300]
            )
            #expect(updated.status == .ok && updated.body["id"] == 9000 && updated.body["timeoutSeconds"] == 300)
            #expect(try await client.call(.get, Self.checks + "/9000", token: t).body["name"] == "No gdb")
            #expect(try await client.call(.put, Self.checks + "/9050", token: t, json: ["name": "x", "script": "true"]).status == .notFound)
            #expect(try await client.call(.get, Self.checks + "/9050", token: t).status == .notFound)
            #expect(try await client.call(.get, Self.checks, token: t).body["customChecks"]?.arrayValue?.count == 2)

            // A deleted check's id is not given again.
            #expect(try await client.call(.delete, Self.checks + "/9001", token: t).status == .noContent)
            #expect(try await client.call(.delete, Self.checks + "/9001", token: t).status == .notFound)
            let third = try await client.call(.post, Self.checks, token: t, json: ["name": "Third", "script": "true"])
            #expect(third.body["id"] == 9002)
        }
    }

    /// The scripts travel in one policy message: together they are bounded too.
    @Test func allScriptsTogetherAreBounded() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let big = JSONValue.string("#" + String(repeating: "x", count: 65535))
            for i in 0..<4 {
                let r = try await client.call(.post, Self.checks, token: t, json: ["name": .string("big \(i)"), "script": big])
                #expect(r.status == .created, "\(r.text)")
            }
            let over = try await client.call(.post, Self.checks, token: t, json: ["name": "one more", "script": "true"])
            #expect(over.status == .badRequest && over.body["error"]?["field"] == "script", "\(over.text)")
            // Replacing a script counts it once.
            #expect(try await client.call(.put, Self.checks + "/9000", token: t, json: ["name": "big 0", "script": big]).status == .ok)
        }
    }

    @Test func rulesAreAnOrderedListThatAlertsOrIgnoresAndNeverBlocks() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            #expect(try await client.call(.post, Self.checks, token: t, json: ["name": "Marker", "script": "true"]).status == .created)
            _ = try await client.call(.post, "/api/v1/collections", token: t, json: ["name": "prod", "appIDs": ["pay*"]])
            let list: JSONValue = [
                "rules": [
                    [
                        "name": "payments", "collections": [["name": "prod"]],
                        "checks": [["id": 9000, "effect": "alert"], ["id": 448, "effect": "ignore"]],
                    ],
                    ["name": "everyone", "checks": [["id": 424, "effect": "alert"]]],
                ]
            ]
            let put = try await client.call(.put, Self.rules, token: t, json: list)
            #expect(put.status == .ok, "\(put.text)")
            let got = try await client.call(.get, Self.rules, token: t)
            #expect(got.body["rules"]?.arrayValue?.map { $0["name"] } == ["payments", "everyone"])
            let stored = got.body["rules"]?.arrayValue?.first?["checks"]?.arrayValue ?? []
            #expect(stored.map { $0["id"] } == [9000, 448] && stored.map { $0["effect"] } == ["alert", "ignore"])
            #expect(got.body["rules"]?.arrayValue?.first?["collections"] == [["name": "prod"]])

            // block and prevent are refused with the reason; other mistakes name their field.
            for effect in ["block", "prevent"] {
                let r = try await client.call(
                    .put,
                    Self.rules,
                    token: t,
                    json: ["rules": [["name": "strict", "checks": [["id": 425, "effect": .string(effect)]]]]]
                )
                #expect(r.status == .badRequest && r.body["error"]?["field"] == "rules[0].checks[0].effect")
                let message = r.body["error"]?["message"]?.stringValue ?? ""
                #expect(message.contains("App-Embedded and Fargate defenders can only alert on compliance"), "\(message)")
            }
            let bad: [(JSONValue, String)] = [
                (["rules": [["name": "x", "checks": [["id": 9999, "effect": "alert"]]]]], "rules[0].checks[0].id"),
                (["rules": [["name": "x", "checks": [["id": 424, "effect": "loud"]]]]], "rules[0].checks[0].effect"),
                (
                    ["rules": [["name": "x", "checks": [["id": 424, "effect": "alert"], ["id": 424, "effect": "ignore"]]]]], "rules[0].checks[1].id"
                ),
                (["rules": [["name": "ok"], ["name": "x", "collections": [["name": "nope"]]]]], "rules[1].collections[0].name"),
                (["rules": [["name": "x"], ["name": "x"]]], "rules[1].name"),
                (["rules": [["name": "bad name!"]]], "rules[0].name"),
                (["rules": [["name": "x", "checks": [["id": 424]]]]], "rules[0].checks[0].effect"),
            ]
            for (body, field) in bad {
                let r = try await client.call(.put, Self.rules, token: t, json: body)
                #expect(r.status == .badRequest && r.body["error"]?["field"] == .string(field), "\(body.serialized(.compact)): \(r.text)")
            }
            // Nothing stored was lost.
            #expect(try await client.call(.get, Self.rules, token: t).body["rules"]?.arrayValue?.count == 2)

            // A check a rule names cannot be deleted; a collection a rule names neither.
            let refused = try await client.call(.delete, Self.checks + "/9000", token: t)
            #expect(refused.status == .conflict && refused.text.contains("payments"), "\(refused.text)")
            let collection = try await client.call(.delete, "/api/v1/collections/prod", token: t)
            #expect(collection.status == .conflict, "\(collection.text)")
            #expect(try await client.call(.put, Self.rules, token: t, json: ["rules": []]).status == .ok)
            #expect(try await client.call(.delete, Self.checks + "/9000", token: t).status == .noContent)
        }
    }

    @Test func auditorsReadAndOperatorsWrite() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            for role in ["auditor", "operator", "defenderManager"] {
                let user = try await client.call(
                    .post,
                    "/api/v1/users",
                    token: admin,
                    json: ["name": .string(role), "password": "password-123", "role": .string(role)]
                )
                #expect(user.status == .created)
            }
            let operatorToken = try await client.login("operator", "password-123")
            #expect(try await client.call(.post, Self.checks, token: operatorToken, json: ["name": "a", "script": "true"]).status == .created)
            #expect(try await client.call(.put, Self.rules, token: operatorToken, json: ["rules": [["name": "r"]]]).status == .ok)
            for reader in ["auditor", "defenderManager"] {
                let token = try await client.login(reader, "password-123")
                #expect(try await client.call(.get, Self.checks, token: token).status == .ok)
                #expect(try await client.call(.get, Self.checks + "/9000", token: token).status == .ok)
                #expect(try await client.call(.get, Self.rules, token: token).status == .ok)
                #expect(try await client.call(.post, Self.checks, token: token, json: ["name": "b", "script": "true"]).status == .forbidden)
                #expect(try await client.call(.put, Self.checks + "/9000", token: token, json: ["name": "b", "script": "true"]).status == .forbidden)
                #expect(try await client.call(.delete, Self.checks + "/9000", token: token).status == .forbidden)
                #expect(try await client.call(.put, Self.rules, token: token, json: ["rules": []]).status == .forbidden)
            }
            #expect(try await client.call(.get, Self.checks, token: admin).body["customChecks"]?.arrayValue?.count == 1)
        }
    }

    /// A real uplink gets the compliance settings of its rule in `welcome`, next to the runtime policy, and
    /// again when a check it runs changes.
    @Test func theDefenderGetsItsComplianceSettingsNextToItsPolicyAndEveryChange() async throws {
        let console = TestConsole(tls: true)
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            _ = try await client.call(.post, Self.checks, token: t, json: ["name": "Marker file", "script": "test -f /marker", "severity": "low"])
            _ = try await client.call(.post, Self.checks, token: t, json: ["name": "Not for payments", "script": "true"])
            let rules: JSONValue = [
                "rules": [
                    ["name": "shop", "collections": [["appIDs": ["shop*"]]], "checks": [["id": 9001, "effect": "alert"]]],
                    [
                        "name": "payments", "collections": [["appIDs": ["payments*"]]],
                        "checks": [["id": 9000, "effect": "alert"], ["id": 9001, "effect": "ignore"], ["id": 424, "effect": "ignore"]],
                    ],
                ]
            ]
            #expect(try await client.call(.put, Self.rules, token: t, json: rules).status == .ok)
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t)
            let uplink = try makeUplink(bundle: try #require(bundle.body["installBundle"]?.stringValue), folder: folder)
            let log = PolicyLog()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run { await log.append($0) } }
                let welcome = try await log.wait(timeout: .seconds(20)) { _ in true }
                let compliance = try #require(welcome.compliance)
                #expect(compliance["rule"] == "payments")
                #expect(compliance["checks"] == [425, 426, 448])
                let custom = try #require(compliance["customChecks"]?.arrayValue)
                #expect(custom == [["id": 9000, "name": "Marker file", "script": "test -f /marker", "severity": "low", "timeoutSeconds": 30]])
                // Not inside the runtime policy document.
                #expect(welcome.document["compliance"] == nil)
                let cached = try String(contentsOfFile: folder + "/policy.json", encoding: .utf8)
                #expect(cached.contains("test -f /marker"))

                // A change to the check it runs is pushed.
                let changed = try await client.call(
                    .put,
                    Self.checks + "/9000",
                    token: t,
                    json: ["name": "Marker file", "script": "test -f /marker2", "severity": "low"]
                )
                #expect(changed.status == .ok)
                let pushed = try await log.wait(timeout: .seconds(5)) { p in
                    p.compliance?["customChecks"]?.arrayValue?.first?["script"] == "test -f /marker2"
                }
                #expect(pushed.version > welcome.version)
                // A change to a check it does not run sends nothing new.
                let before = await log.received.count
                _ = try await client.call(.put, Self.checks + "/9001", token: t, json: ["name": "Still not", "script": "false"])
                try await Task.sleep(for: .milliseconds(500))
                #expect(await log.received.count == before)
                // No rule matches any more: every built-in check, no custom check.
                _ = try await client.call(.put, Self.rules, token: t, json: ["rules": []])
                let none = try await log.wait(timeout: .seconds(5)) { $0.compliance?["rule"] == .null }
                #expect(none.compliance?["checks"] == [424, 425, 426, 448] && none.compliance?["customChecks"] == [])
                group.cancelAll()
            }
        }
    }

    /// End to end: a real defender (traced app, its own scan of a small root) runs the console's failing
    /// custom check, and the finding reaches the console's results API.
    @Test func aRealDefenderRunsAFailingCustomCheckAndItsFindingReachesTheResults() async throws {
        let console = TestConsole()
        let folder = console.directory + "-defender"
        let root = console.directory + "-root"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
            try? FileManager.default.removeItem(atPath: root)
        }
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        try "ID=debian\nVERSION_ID=12\n".write(toFile: root + "/etc/os-release", atomically: true, encoding: .utf8)
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let check = try await client.call(
                .post,
                Self.checks,
                token: t,
                json: [
                    "name": "Hardening marker present",
                    "script": "echo \"no hardening marker in $PWD\"; echo \"SECRET=${SCUTE_INSTALL_BUNDLE:-unset}\"; exit 3",
                    "severity": "high", "timeoutSeconds": 20,
                ]
            )
            let id = try #require(check.body["id"]?.intValue)
            let rules: JSONValue = [
                "rules": [["name": "payments", "collections": [["appIDs": ["payments*"]]], "checks": [["id": .int(id), "effect": "alert"]]]]
            ]
            #expect(try await client.call(.put, Self.rules, token: t, json: rules).status == .ok)
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try #require(
                try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: t)
                    .body["installBundle"]?.stringValue
            )
            let defender = Process()
            defender.executableURL = URL(fileURLWithPath: Self.defenderBinary)
            defender.arguments = ["defend", "--", "/bin/sh", "-c", "sleep 60"]
            var env = ProcessInfo.processInfo.environment
            env["SWIFT_BACKTRACE"] = "enable=no"
            env["SCUTE_INSTALL_BUNDLE"] = bundle
            env["SCUTE_DATA_FOLDER"] = folder
            env["SCUTE_APP_ID"] = "payments-api"
            env["SCUTE_SCAN_ROOT"] = root
            defender.environment = env
            defender.standardOutput = FileHandle.nullDevice
            defender.standardError = FileHandle.nullDevice
            try defender.run()
            defer {
                if defender.isRunning {
                    kill(defender.processIdentifier, SIGKILL)
                    defender.waitUntilExit()
                }
            }
            var row: JSONValue?
            try await eventually(timeout: .seconds(60), "the custom check's finding in the results") {
                let r = try await client.call(.get, "/api/v1/compliance/results?check=\(id)", token: t)
                row = r.body["results"]?.arrayValue?.first
                return row != nil
            }
            let finding = try #require(row)
            #expect(finding["title"] == "Hardening marker present" && finding["severity"] == "high")
            #expect(finding["kind"] == "failed" && finding["appID"] == "payments-api")
            let detail = finding["detail"]?.stringValue ?? ""
            #expect(detail.hasPrefix("exit status 3: no hardening marker in"), "\(detail)")
            // A clean environment: the defender's install bundle is not the script's to read.
            #expect(detail.contains("SECRET=unset"), "\(detail)")
        }
    }

    /// The scute-defender binary next to the test bundle.
    static let defenderBinary: String = {
        var dir = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("scute-defender").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return "scute-defender"
    }()
}
