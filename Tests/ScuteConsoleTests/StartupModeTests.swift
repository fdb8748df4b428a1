import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteCore
import Testing

@testable import ScuteConsole

/// The startup mode chosen at embed time, on the console: `startupMode` in the embed API, the select on the
/// Deploy page, and a real defender in security mode starting its app only on this console's policy.
@Suite("Startup mode", .serialized)
struct StartupModeTests {
    static let task: JSONValue = [
        "family": "payments", "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"], "cpu": "512", "memory": "1024",
        "containerDefinitions": [["name": "web", "image": "shop/web:1", "entryPoint": ["/app/run"], "essential": true]],
    ]

    @Test func theEmbedAPITakesStartupModeForEachFormat() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let base = "/api/v1/defenders/fargate.json?consoleaddr=wss://c.example:8084&plainEnvironment=true"
            let secure = try await client.call(.post, base + "&startupMode=security", token: t, json: Self.task)
            #expect(secure.status == .ok, "\(secure.text)")
            #expect(secure.text.contains(#"{"name":"SCUTE_STARTUP_MODE","value":"security"}"#))
            // Availability, named or not, adds nothing; removal gives the task definition back.
            let named = try await client.call(.post, base + "&startupMode=availability", token: t, json: Self.task)
            let plain = try await client.call(.post, base, token: t, json: Self.task)
            #expect(!named.text.contains("SCUTE_STARTUP_MODE") && !plain.text.contains("SCUTE_STARTUP_MODE"))
            let removed = try await client.call(.post, "/api/v1/defenders/fargate.json?remove=true", token: t, json: secure.body)
            #expect(removed.body == Self.task)
            // CloudFormation, the same way.
            let properties: JSONValue = [
                "Family": "payments", "ContainerDefinitions": [["Name": "web", "Image": "shop/web:1", "EntryPoint": ["/app/run"]]],
            ]
            let template: JSONValue = ["Resources": ["TaskDef": ["Type": "AWS::ECS::TaskDefinition", "Properties": properties]]]
            let cfn = try await client.call(
                .post,
                "/api/v1/defenders/cloudformation?consoleaddr=wss://c.example:8084&startupMode=security",
                token: t,
                json: template
            )
            #expect(cfn.status == .ok, "\(cfn.text)")
            let containers = try #require(cfn.body["Resources"]?["TaskDef"]?["Properties"]?["ContainerDefinitions"]?.arrayValue)
            let web = try #require(containers.first { $0["Name"] == "web" })
            #expect(web["Environment"]?.arrayValue?.contains(["Name": "SCUTE_STARTUP_MODE", "Value": "security"]) == true, "\(cfn.text)")
            // A mode that is neither: 400 naming the parameter and both values.
            let bad = try await client.call(.post, base + "&startupMode=secure", token: t, json: Self.task)
            #expect(bad.status == .badRequest)
            #expect(bad.body["error"]?["field"] == "startupMode")
            #expect(bad.text.contains("availability") && bad.text.contains("security"), "\(bad.text)")
        }
    }

    @Test func theDeployPageHasALabelledSelectThatReachesTheEmbed() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let (cookie, token) = try await WebUITests.logIn(client)
            let page = try await WebUITests.get(client, "/manage/defenders/deploy", cookie: cookie)
            #expect(page.text.contains(#"<label for="startupMode">Startup mode</label>"#))
            #expect(page.text.contains(#"<select id="startupMode" name="startupMode">"#))
            #expect(page.text.contains(#"<option value="availability" selected>"#))
            #expect(page.text.contains(#"<option value="security">"#))
            #expect(page.text.contains(#"<label for="dockerStartupMode">Startup mode</label>"#))
            let document = URLText.encode(String(decoding: Self.task.serialized(.compact).utf8, as: UTF8.self))
            let form =
                "csrf=\(WebUI.csrf(for: token))&kind=taskDefinition&consoleaddr=wss%3A%2F%2Fc.example%3A8084&plainEnvironment=on"
                + "&startupMode=security&document=\(document)"
            let generated = try await WebUITests.post(client, "/manage/defenders/deploy/task", form, cookie: cookie)
            #expect(generated.status == .ok, "\(generated.text.prefix(300))")
            #expect(generated.text.contains("SCUTE_STARTUP_MODE"), "\(generated.text.prefix(300))")
            // The choice is kept on the page that shows the result.
            #expect(generated.text.contains(#"<option value="security" selected>"#))
        }
    }

    /// A real defender in security mode with a real console: the app starts once the console's policy is
    /// there, and that policy (not the default) is in force from the app's first instruction.
    @Test func aRealDefenderInSecurityModeStartsTheAppOnTheConsolesPolicy() async throws {
        let console = TestConsole()
        let folder = console.directory + "-defender"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let rule: JSONValue = [
                "name": "no-id", "collections": [["appIDs": ["startup-secure"]]],
                "processes": ["effect": "prevent", "denied": ["/usr/bin/id"]],
            ]
            #expect(try await client.call(.post, "/api/v1/policies/runtime/rules", token: t, json: rule).status == .created)
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try #require(
                try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: t)
                    .body["installBundle"]?.stringValue
            )
            let defender = Process()
            defender.executableURL = URL(fileURLWithPath: ComplianceRulesTests.defenderBinary)
            defender.arguments = ["rasp", "--", "/bin/sh", "-c", "/usr/bin/id -u; echo rc=$?"]
            var env = ProcessInfo.processInfo.environment
            env["SWIFT_BACKTRACE"] = "enable=no"
            env["SCUTE_INSTALL_BUNDLE"] = bundle
            env["SCUTE_DATA_FOLDER"] = folder
            env["SCUTE_APP_ID"] = "startup-secure"
            env["SCUTE_SCAN_ROOT"] = "off"
            env["SCUTE_STARTUP_MODE"] = "security"
            env["SCUTE_POLICY_WAIT"] = "60"
            defender.environment = env
            let out = Pipe()
            let err = Pipe()
            defender.standardOutput = out
            defender.standardError = err
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try defender.run()
            defer {
                if defender.isRunning {
                    kill(defender.processIdentifier, SIGKILL)
                    defender.waitUntilExit()
                }
            }
            try await eventually(timeout: .seconds(90), "the defender's exit") { !defender.isRunning }
            let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(defender.terminationStatus == 0, "\(stderr)")
            #expect(stderr.contains("waiting for the console's policy (security startup mode) from ws://127.0.0.1:\(port)"), "\(stderr)")
            // The app ran (it printed), and the console's rule refused the launch from the start.
            #expect(stdout.contains("rc=126") || stdout.contains("rc=137"), "\(stdout) \(stderr)")
            #expect(!stdout.hasPrefix("0\n"), "\(stdout)")
        }
    }
}
