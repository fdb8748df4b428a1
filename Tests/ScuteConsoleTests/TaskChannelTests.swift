import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Issue 14: a sidecar keeps one console connection per task and carries each defender as a virtual channel;
/// the console still lists, enrolls, revokes and pushes policies to each defender on its own.
@Suite("Task channel", .serialized)
struct TaskChannelTests {
    typealias Setup = EnrollmentTests.Setup

    static func uplink(bundle: String, folder: String, id: String, container: String, transport: TaskChannel) throws -> Uplink {
        try makeUplink(bundle: bundle, folder: folder, id: id, container: container, transport: transport)
    }

    static func taskChannel(_ bundle: String, fallback: String? = nil) throws -> TaskChannel {
        TaskChannel(
            bundle: try InstallBundle.decode(bundle),
            logger: quietLogger,
            reconnectDelay: .milliseconds(50),
            maxReconnectDelay: .milliseconds(200),
            fallbackSecrets: { fallback.map { TaskChannel.credentials(under: $0) } ?? [] }
        )
    }

    static func defenders(_ s: Setup) async throws -> [String: JSONValue] {
        let list = try await s.client.call(.get, "/api/v1/defenders", token: s.token).body["defenders"]?.arrayValue ?? []
        var byID: [String: JSONValue] = [:]
        for d in list { if let id = d.objectValue?["id"]?.stringValue { byID[id] = d } }
        return byID
    }

    @Test func twoDefendersShareOneConnectionAndStayDefendersOfTheirOwn() async throws {
        try await EnrollmentTests.withConsole { s in
            let bundle = try await s.bundle()
            let channel = try Self.taskChannel(bundle)
            let web = try Self.uplink(bundle: bundle, folder: s.folder("a"), id: "t-web", container: "web", transport: channel)
            let worker = try Self.uplink(bundle: bundle, folder: s.folder("b"), id: "t-worker", container: "worker", transport: channel)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await channel.run() }
                group.addTask { await web.run() }
                group.addTask { await worker.run() }
                try await eventually("both defenders enrolled through the task channel") {
                    web.isEnrollmentConfirmed && worker.isEnrollmentConfirmed
                }
                #expect(channel.openConversations == 2)
                let listed = try await Self.defenders(s)
                #expect(listed["t-web"]?.objectValue?["connected"] == true)
                #expect(listed["t-worker"]?.objectValue?["container"] == "worker")

                // Audits of each arrive under their own defender.
                try web.send(events(0..<40))
                try worker.send(events(40..<100))
                try await eventually("100 audits") {
                    let page = try await s.client.call(.get, "/api/v1/audits/runtime?limit=500", token: s.token)
                    return page.body["audits"]?.arrayValue?.count == 100
                }
                let fromWorker = try await s.client.call(.get, "/api/v1/audits/runtime?limit=500&container=worker", token: s.token)
                #expect(fromWorker.body["audits"]?.arrayValue?.count == 60)

                // A rule reaches each defender through the shared connection.
                let rule = #"{"name": "task-rule", "processes": {"effect": "prevent", "denied": ["nc"]}}"#
                #expect(try await s.client.call(.post, "/api/v1/policies/runtime/rules", token: s.token, raw: rule).status == .created)
                try await eventually("the rule on both defenders") { web.policy?.rule == "task-rule" && worker.policy?.rule == "task-rule" }

                // Revoking one defender ends its conversation only.
                #expect(try await s.client.call(.post, "/api/v1/defenders/t-web/revoke", token: s.token).status == .noContent)
                try await eventually("t-web refused") { web.refusal?.contains("revoked") == true }
                try await Task.sleep(for: .milliseconds(500))
                #expect(worker.isConnected && channel.isConnected)
                try worker.send(events(100..<101))
                try await eventually("the worker's next audit") {
                    let page = try await s.client.call(.get, "/api/v1/audits/runtime?limit=500&container=worker", token: s.token)
                    return page.body["audits"]?.arrayValue?.count == 61
                }
                group.cancelAll()
            }
        }
    }

    @Test func aTaskChannelNeedsAValidSecretAndOutlivesABundleRotationOnItsDefendersCredentials() async throws {
        try await EnrollmentTests.withConsole { s in
            let bundle = try await s.bundle()
            // Not a token the console issued: the connection is refused.
            var forged = try InstallBundle.decode(bundle)
            forged.token = "not-a-token"
            let refused = TaskChannel(bundle: forged, logger: quietLogger, reconnectDelay: .milliseconds(50))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await refused.run() }
                try await Task.sleep(for: .milliseconds(600))
                #expect(!refused.isConnected)
                group.cancelAll()
            }

            // Enrolled through the task channel, then the bundles are rotated: the sidecar's connection comes back
            // on its defender's credential, and the defender with it.
            let relayFolder = s.folder("c")
            let first = try Self.taskChannel(bundle, fallback: relayFolder)
            let web = try Self.uplink(bundle: bundle, folder: relayFolder + "/t-1", id: "t-1", container: "web", transport: first)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await first.run() }
                group.addTask { await web.run() }
                try await eventually("t-1 enrolled") { web.isEnrollmentConfirmed }
                group.cancelAll()
            }
            #expect(try await s.client.call(.post, "/api/v1/defenders/install-bundle/rotate", token: s.token).status == .ok)
            let second = try Self.taskChannel(bundle, fallback: relayFolder)
            let again = try Self.uplink(bundle: bundle, folder: relayFolder + "/t-1", id: "t-1", container: "web", transport: second)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await second.run() }
                group.addTask { await again.run() }
                try await eventually("t-1 back after the rotation") { again.isConnected && second.isConnected }
                // A defender that is not enrolled cannot enroll with the rotated-out bundle on that connection.
                let late = try Self.uplink(bundle: bundle, folder: s.folder("d"), id: "t-2", container: "worker", transport: second)
                group.addTask { await late.run() }
                try await eventually("t-2 refused") { late.refusal != nil }
                #expect(!late.isConnected)
                group.cancelAll()
            }
        }
    }
}
