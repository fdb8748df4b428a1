import Foundation
import ScuteCore
import ScuteDefender
import Testing

@Suite struct LocalLinkCodecTests {
    @Test func messagesRoundTripAsOneLine() throws {
        let doc: JSONValue = ["rules": [["name": "r", "processes": ["effect": "prevent", "denied": ["x\ny"]]]]]
        let policy = LocalMessage.policy(version: 7, rule: "r", document: doc)
        #expect(policy.line.hasSuffix("\n"))
        #expect(policy.line.dropLast().contains("\n") == false)
        let back = try LocalMessage.parse(String(policy.line.dropLast()))
        #expect(back == policy)
        let content = try #require(back.policyContent)
        #expect(content.version == 7)
        #expect(content.rule == "r")
        #expect(content.document == doc)

        let batch = LocalMessage.audits(sequence: 42, events: [["id": "e1"], ["id": "e2"]])
        let parsed = try LocalMessage.parse(String(batch.line.dropLast()))
        #expect(parsed.type == .audits)
        #expect(parsed.id == "42")
        #expect(parsed.events.count == 2)
        #expect(LocalMessage.ack("42").line == #"{"type":"ack","id":"42","payload":{}}"# + "\n")
    }

    @Test(arguments: [
        ("nope", "not valid JSON"),
        ("[]", "expected an object"),
        (#"{"id":"1"}"#, "type: missing"),
        (#"{"type":"bogus"}"#, "unknown message type bogus"),
        (#"{"type":"ack","payload":[]}"#, "payload: expected an object"),
    ])
    func badLinesAreRefusedWithAReason(line: String, reason: String) {
        #expect {
            try LocalMessage.parse(line)
        } throws: { error in
            (error as? LocalChannelError)?.description.contains(reason) == true
        }
    }

    @Test func lineBufferSplitsAcrossReadsAndBoundsLines() throws {
        var buffer = LineBuffer(limit: 8)
        #expect(try buffer.append(Array("ab".utf8)).isEmpty)
        #expect(try buffer.append(Array("c\n\nde\nf".utf8)) == ["abc", "de"])
        #expect(try buffer.append(Array("g\n".utf8)) == ["fg"])
        #expect(throws: LocalChannelError.self) { try buffer.append(Array("123456789".utf8)) }
    }
}

@Suite(.serialized) struct LocalLinkTests {
    static let emptyPolicy = LocalMessage.policy(version: 1, rule: nil, document: ["rules": []]).line

    static func deny(_ program: String, effect: String = "prevent") -> String {
        #"{"rules": [{"name": "pushed", "processes": {"effect": "\#(effect)", "denied": ["\#(program)"]}}]}"#
    }

    static func environment(_ sidecar: FakeSidecar, _ extra: [String: String] = [:]) -> [String: String] {
        var env = ["SCUTE_CHANNEL_SOCKET": sidecar.path, "SCUTE_POLICY_WAIT": "5"]
        for (k, v) in extra { env[k] = v }
        return env
    }

    @Test func helloCarriesTheDefendersIdentity() throws {
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        sidecar.policyOnHello = Self.emptyPolicy
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", "/bin/true"],
            environment: Self.environment(
                sidecar,
                [
                    "SCUTE_APP_ID": "shop", "SCUTE_CONTAINER_NAME": "web", "SCUTE_IMAGE_NAME": "shop:1.2",
                    "SCUTE_TASK_FAMILY": "shop-task", "SCUTE_TASK_ARN": "arn:aws:ecs:task/1", "SCUTE_DEFENDER_ID": "def-1",
                ]
            )
        )
        #expect(r.status == 0)
        let hello = try #require(sidecar.messages.first { $0.message.type == .hello }?.message.payload)
        #expect(hello[string: "defenderID"] == "def-1")
        #expect(hello[string: "appID"] == "shop")
        #expect(hello[string: "container"] == "web")
        #expect(hello[string: "image"] == "shop:1.2")
        #expect(hello[string: "taskFamily"] == "shop-task")
        #expect(hello[string: "taskARN"] == "arn:aws:ecs:task/1")
        #expect(hello[string: "version"]?.isEmpty == false)
    }

    @Test func theFirstPolicyIsAwaitedBeforeTheAppStarts() throws {
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        sidecar.policyOnHello = LocalMessage.policy(version: 3, rule: "pushed", document: try JSONValue.parse(Self.deny("first-denied"))).line
        let marker = try Harness.markerProgram(name: "first-denied")
        let proof = Harness.tempPath("ran")
        let r = try Harness.run([Harness.defender, "rasp", "--", marker, proof], environment: Self.environment(sidecar))
        #expect(r.status != 0)
        #expect(!Harness.exists(proof))
    }

    @Test func aPolicyPushedMidRunBlocksALaterExecAndItsAuditArrives() throws {
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        sidecar.policyOnHello = Self.emptyPolicy
        let marker = try Harness.markerProgram(name: "later-denied")
        let before = Harness.tempPath("before")
        let after = Harness.tempPath("after")
        let go = Harness.tempPath("go")
        let script = "\(marker) \(before); while [ ! -f \(go) ]; do sleep 0.02; done; \(marker) \(after); echo rc=$?"
        let r = try Harness.run([Harness.defender, "rasp", "--", "/bin/sh", "-c", script], environment: Self.environment(sidecar)) { _ in
            let deadline = Date().addingTimeInterval(10)
            while !Harness.exists(before) && Date() < deadline { usleep(10_000) }
            try? sidecar.push(Self.deny("later-denied"), version: 2)
            usleep(300_000)
            FileManager.default.createFile(atPath: go, contents: nil)
        }
        #expect(Harness.exists(before))
        #expect(!Harness.exists(after))
        #expect(r.stdout.contains("rc=126"))
        // The defender drains before it exits: the audit is already here.
        let audit = try #require(sidecar.events().first { $0[string: "attackType"] == "explicitlyDeniedProcess" })
        #expect(audit[string: "processPath"]?.hasSuffix("later-denied") == true)
        #expect(audit[string: "rule"] == "pushed")
    }

    @Test func unacknowledgedAuditsAreSentAgainAfterTheConnectionDrops() throws {
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        sidecar.policyOnHello =
            LocalMessage.policy(version: 1, rule: "pushed", document: try JSONValue.parse(Self.deny("alerted", effect: "alert"))).line
        sidecar.setAcknowledges(false)
        let marker = try Harness.markerProgram(name: "alerted")
        let go = Harness.tempPath("go")
        let script = "\(marker) \(Harness.tempPath("ran")); while [ ! -f \(go) ]; do sleep 0.02; done"
        var firstIDs: [String] = []
        let r = try Harness.run([Harness.defender, "rasp", "--", "/bin/sh", "-c", script], environment: Self.environment(sidecar)) { _ in
            sidecar.wait { m in m.contains { $0.message.type == .audits } }
            firstIDs = sidecar.events(on: 1).compactMap { $0[string: "id"] }
            sidecar.setAcknowledges(true)
            sidecar.drop()
            sidecar.wait { m in m.contains { $0.connection == 2 && $0.message.type == .audits } }
            FileManager.default.createFile(atPath: go, contents: nil)
        }
        #expect(r.status == 0)
        #expect(!firstIDs.isEmpty)
        let hellos = sidecar.messages.filter { $0.message.type == .hello }
        #expect(hellos.count >= 2)
        #expect(hellos.map { $0.message.payload[string: "defenderID"] }.allSatisfy { $0 == hellos[0].message.payload[string: "defenderID"] })
        let resent = Set(sidecar.events(on: 2).compactMap { $0[string: "id"] })
        #expect(Set(firstIDs).isSubset(of: resent))
    }

    @Test func withNoSidecarTheAppStartsAfterTheWait() throws {
        let path = Harness.tempPath("absent.sock")
        let start = Date()
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", "/bin/sh", "-c", "echo up"],
            environment: ["SCUTE_CHANNEL_SOCKET": path, "SCUTE_POLICY_WAIT": "0.5", "SCUTE_DRAIN_TIMEOUT": "0.5"]
        )
        #expect(r.status == 0)
        #expect(r.stdout == "up\n")
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func whileTheSidecarIsAwayTheOldestAuditsAreDroppedPastTheBound() throws {
        var configuration = LocalLink.Configuration(socketPath: "", hello: JSONObject(["defenderID": "bounded"]))
        configuration.maxEvents = 5
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        configuration.socketPath = sidecar.path
        let link = LocalLink(configuration: configuration)
        let events = (0..<8).map { AuditEvent(id: "e\($0)", time: 0, type: .process, effect: .alert, msg: "m\($0)") }
        link.record(Array(events[0..<3]))
        link.record(Array(events[3...]))
        #expect(link.dropped == 3)
        #expect(link.unacknowledged == 5)
        link.start(live: LivePolicy(rule: nil, identity: AppIdentity(appID: "a")))
        #expect(link.drain(seconds: 10))
        #expect(sidecar.events().compactMap { $0[string: "id"] } == ["e3", "e4", "e5", "e6", "e7"])
    }
}
