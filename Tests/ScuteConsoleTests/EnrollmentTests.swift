import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Issue 9, item 8: the install bundle enrolls each defender once; after that, its own credential connects it.
@Suite("Defender enrollment", .serialized)
struct EnrollmentTests {
    struct Setup {
        let console: TestConsole
        let client: any TestClientProtocol
        let token: String
        let port: Int

        func bundle() async throws -> String {
            let r = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: token)
            return try #require(r.body["installBundle"]?.stringValue)
        }

        func folder(_ name: String) -> String { console.directory + "-" + name }

        /// Runs `uplink` until it is connected or refused, then stops it; returns the refusal, if any.
        func connect(_ uplink: Uplink) async throws -> String? {
            let connected = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run() }
                // Generous for a loaded machine: the loop ends as soon as the console answers.
                let deadline = ContinuousClock.now + .seconds(20)
                // Connected with an enrollment the console holds as final (it is pending until the defender
                // says it kept its credential, and rolled back if the channel ends first).
                while !(uplink.isConnected && (!uplink.isEnrolled || uplink.isEnrollmentConfirmed)) && uplink.refusal == nil
                    && ContinuousClock.now < deadline
                {
                    try await Task.sleep(for: .milliseconds(20))
                }
                let connected = uplink.isConnected
                group.cancelAll()
                return connected
            }
            #expect(connected || uplink.refusal != nil, "neither connected nor refused")
            return connected ? nil : uplink.refusal
        }
    }

    static func withConsole(_ body: @Sendable (Setup) async throws -> Void) async throws {
        let console = TestConsole()
        defer {
            console.remove()
            for name in ["a", "b", "c", "d"] { try? FileManager.default.removeItem(atPath: console.directory + "-" + name) }
        }
        try await console.app().test(.router) { client in
            let token = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            try await body(Setup(console: console, client: client, token: token, port: port))
        }
    }

    @Test func aDefenderEnrollsOnceAndNoOtherDefenderCanTakeItsID() async throws {
        try await Self.withConsole { s in
            let bundle = try await s.bundle()
            let first = try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1")
            #expect(try await s.connect(first) == nil)
            #expect(first.isEnrolled)
            let mode = try FileManager.default.attributesOfItem(atPath: s.folder("a") + "/credential")[.posixPermissions] as? Int
            #expect(mode == 0o600)
            // Same bundle, same ID, another machine: the bundle alone no longer connects d-1.
            let impostor = try makeUplink(bundle: bundle, folder: s.folder("b"), id: "d-1")
            let refusal = try await s.connect(impostor)
            #expect(refusal?.contains("enrolled") == true, "\(refusal ?? "connected")")
            // The real one comes back with its credential.
            let again = try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1")
            #expect(try await s.connect(again) == nil)
        }
    }

    @Test func aDefenderThatCouldNotKeepItsCredentialEnrollsAgainInsteadOfBeingLockedOut() async throws {
        try await Self.withConsole { s in
            let bundle = try await s.bundle()
            // The credential cannot be written (a directory stands where the file goes): as if the welcome that
            // carried it was lost. The defender never confirms it.
            try FileManager.default.createDirectory(atPath: s.folder("a") + "/credential", withIntermediateDirectories: true)
            let lost = try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-lost")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await lost.run() }
                try await eventually("the console to welcome the defender") { lost.isConnected }
                #expect(!lost.isEnrolled && !lost.isEnrollmentConfirmed)
                group.cancelAll()
            }
            // Once that channel has ended, the console has rolled the enrollment back: the bundle enrolls d-lost again.
            try FileManager.default.removeItem(atPath: s.folder("a") + "/credential")
            try await eventually("the same defender to enroll again with the bundle") {
                let again = try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-lost")
                return try await s.connect(again) == nil && again.isEnrollmentConfirmed
            }
            // Confirmed now: the bundle alone no longer connects d-lost, however long one waits.
            try await Task.sleep(for: .milliseconds(300))
            let impostor = try makeUplink(bundle: bundle, folder: s.folder("b"), id: "d-lost")
            #expect(try await s.connect(impostor)?.contains("enrolled") == true)
        }
    }

    @Test func aCredentialIsBoundToItsDefenderAndApp() async throws {
        try await Self.withConsole { s in
            let bundle = try await s.bundle()
            #expect(try await s.connect(try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1")) == nil)
            let credential = try String(contentsOfFile: s.folder("a") + "/credential", encoding: .utf8)
            // The credential copied to a defender claiming another app.
            try FileManager.default.createDirectory(atPath: s.folder("b"), withIntermediateDirectories: true)
            try credential.write(toFile: s.folder("b") + "/credential", atomically: true, encoding: .utf8)
            let otherApp = try makeUplink(bundle: bundle, folder: s.folder("b"), app: "other-app", id: "d-1")
            #expect(try await s.connect(otherApp)?.contains("enrolled for app payments-api") == true)
            // And to a defender claiming another ID.
            try FileManager.default.createDirectory(atPath: s.folder("c"), withIntermediateDirectories: true)
            try credential.write(toFile: s.folder("c") + "/credential", atomically: true, encoding: .utf8)
            let otherID = try makeUplink(bundle: bundle, folder: s.folder("c"), id: "d-2")
            #expect(try await s.connect(otherID) != nil)
        }
    }

    @Test func revocationCannotBeEvadedWithANewID() async throws {
        try await Self.withConsole { s in
            let bundle = try await s.bundle()
            #expect(try await s.connect(try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1")) == nil)
            #expect(try await s.client.call(.post, "/api/v1/defenders/d-1/revoke", token: s.token).status == .noContent)
            #expect(try await s.connect(try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1"))?.contains("revoked") == true)
            let renamed = try makeUplink(bundle: bundle, folder: s.folder("b"), id: "d-1-renamed")
            #expect(try await s.connect(renamed)?.contains("install bundle") == true)
            // A new bundle enrolls new defenders.
            let fresh = try makeUplink(bundle: try await s.bundle(), folder: s.folder("c"), id: "d-3")
            #expect(try await s.connect(fresh) == nil)
        }
    }

    @Test func rotatingTheBundlesKeepsEnrolledDefendersUnlessAsked() async throws {
        try await Self.withConsole { s in
            let bundle = try await s.bundle()
            #expect(try await s.connect(try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1")) == nil)
            #expect(try await s.client.call(.post, "/api/v1/defenders/install-bundle/rotate", token: s.token).status == .ok)
            // Enrolled: still connects. Not enrolled, with the old bundle: refused at the upgrade.
            #expect(try await s.connect(try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1")) == nil)
            let late = try makeUplink(bundle: bundle, folder: s.folder("b"), id: "d-2")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await late.run() }
                try await Task.sleep(for: .milliseconds(500))
                #expect(!late.isConnected)
                group.cancelAll()
            }
            let all = try await s.client.call(.post, "/api/v1/defenders/install-bundle/rotate?revokeEnrolled=true", token: s.token)
            #expect(all.body["revokedCredentials"] == 1)
            let cutOff = try makeUplink(bundle: bundle, folder: s.folder("a"), id: "d-1")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await cutOff.run() }
                try await Task.sleep(for: .milliseconds(800))
                #expect(!cutOff.isConnected)
                group.cancelAll()
            }
        }
    }

    /// A defender of protocol 1 (no credential) still connects, with the bundle, as before.
    @Test func aProtocol1DefenderConnectsWithTheBundleEveryTime() async throws {
        try await Self.withConsole { s in
            let token = try InstallBundle.decode(try await s.bundle()).token
            var hello = DefenderHello(defenderID: "old-1", appID: "pay")
            hello.protocolVersion = 1
            for round in 0..<2 {
                // Retried while the console has not yet seen the previous channel close (`in-use`) or is slow to
                // answer on a loaded machine; each round must end in a welcome without a credential.
                try await eventually(timeout: .seconds(30), "round \(round): a welcome for the protocol 1 defender") {
                    let exchange = try await channelExchange(
                        port: s.port,
                        token: token,
                        frames: [ChannelMessage(type: .hello, payload: hello.payload).text],
                        wait: .seconds(2)
                    )
                    guard let welcome = exchange.messages.first, welcome.type == .welcome else { return false }
                    #expect(welcome.payload["credential"] == nil)
                    return true
                }
            }
        }
    }

    /// The embed service puts the bundle into the sidecar's plain environment only when asked to; given the
    /// ARN of a secret holding it, the sidecar gets an ECS `secrets` entry instead.
    @Test func theTaskDefinitionEmbedTakesTheBundleAsAnECSSecret() async throws {
        try await Self.withConsole { s in
            let path = "/api/v1/defenders/fargate.json?consoleaddr=wss://c.example:8084&appID=pay"
            let neither = try await s.client.call(.post, path, token: s.token, json: sampleTaskDefinition)
            #expect(neither.status == .badRequest && neither.body["error"]?["field"] == "installBundleSecret", "\(neither.text)")
            let arn = "arn:aws:ssm:eu-west-1:123456789012:parameter/scute/install-bundle"
            let secret = try await s.client.call(.post, path + "&installBundleSecret=" + arn, token: s.token, json: sampleTaskDefinition)
            #expect(secret.status == .ok, "\(secret.text)")
            let sidecar = try #require(secret.body["containerDefinitions"]?.arrayValue?.first { $0["name"] == "ScuteDefender" })
            #expect(sidecar["secrets"] == [["name": "SCUTE_INSTALL_BUNDLE", "valueFrom": .string(arn)]])
            #expect(sidecar["environment"]?.arrayValue?.contains { $0["name"] == "SCUTE_INSTALL_BUNDLE" } == false)
            #expect(secret.headers[values: HTTPField.Name("Scute-Warning")!].contains { $0.contains("executionRoleArn") })
            let bad = try await s.client.call(
                .post,
                path + "&installBundleSecret=arn:aws:s3:::bucket/key",
                token: s.token,
                json: sampleTaskDefinition
            )
            #expect(bad.status == .badRequest && bad.body["error"]?["field"] == "installBundleSecret")
        }
    }
}
