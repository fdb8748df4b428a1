import Foundation
import Logging
import ScuteCore
import ScuteRelay
import ScuteUplink
import Testing

/// A blocking client of the relay socket, as the static defender is.
private final class Client: @unchecked Sendable {
    let fd: Int32
    private var lines = LineBuffer()
    private var ready: [String] = []

    init(_ path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(rc == 0)
        var timeout = timeval(tv_sec: 60, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ message: LocalMessage) {
        let bytes = Array(message.line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// The next message, or nil when the relay closed the connection (or 10 s passed). The read blocks a
    /// thread of its own: the relay under test needs the (small) concurrency pool.
    func receive() async throws -> LocalMessage? {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try self.receiveBlocking() }) }
        }
    }

    private func receiveBlocking() throws -> LocalMessage? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ready.isEmpty {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return nil }
            ready += try lines.append(buffer[0..<n])
        }
        return try LocalMessage.parse(ready.removeFirst())
    }
}

@Suite struct RelayTests {
    static func hello(_ id: String) -> LocalMessage {
        LocalMessage(type: .hello, payload: JSONObject(["defenderID": .string(id), "appID": "", "container": "web", "version": "0.1.0"]))
    }

    /// Runs a relay on a fresh volume whose console is unreachable, for the length of `body`.
    static func withRelay(prepare: (String) throws -> Void = { _ in }, _ body: @Sendable (String) async throws -> Void) async throws {
        try await withRelay(prepare: prepare) { volume, _ in try await body(volume) }
    }

    static func withRelay(prepare: (String) throws -> Void = { _ in }, _ body: @Sendable (String, Relay) async throws -> Void) async throws {
        let volume = FileManager.default.temporaryDirectory.appendingPathComponent("scute-relay-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: volume) }
        try prepare(volume)
        var logger = Logger(label: "scute.relay.tests")
        logger.logLevel = .critical
        let configuration = RelayConfiguration(
            volume: volume,
            bundle: InstallBundle(consoleAddress: "ws://127.0.0.1:1", caCertificatePEM: "", token: "t"),
            appID: "shop",
            taskFamily: "shop-task"
        )
        let relay = Relay(configuration: configuration, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await relay.run() }
            // Generous for a full parallel run on two cores, where the relay's task can wait for a thread of the
            // concurrency pool; the loop ends as soon as the socket is there.
            let deadline = ContinuousClock.now + .seconds(30)
            // Ready once the socket is there with its final mode (bound privately, then moved into the volume).
            func ready() -> Bool {
                let attributes = try? FileManager.default.attributesOfItem(atPath: configuration.socketPath)
                return (attributes?[.posixPermissions] as? Int) == 0o660
            }
            while !ready() && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await body(volume, relay)
            group.cancelAll()
        }
    }

    /// What an earlier run of the sidecar kept for defender def-1.
    static func cachePolicy(volume: String) throws {
        let folder = volume + "/.relay/def-1"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cached = #"{"version": 5, "rule": "cached", "policy": {"rules": [{"name": "cached"}]}}"#
        try cached.write(toFile: folder + "/policy.json", atomically: true, encoding: .utf8)
    }

    @Test func auditsAreInTheSpoolBeforeTheAckAndTheCachedPolicyComesFirst() async throws {
        try await Self.withRelay(prepare: Self.cachePolicy) { volume in
            let socket = volume + "/channel.sock"
            let attributes = try FileManager.default.attributesOfItem(atPath: socket)
            #expect((attributes[.posixPermissions] as? Int) == 0o660)
            let client = try Client(socket)
            client.send(Self.hello("def-1"))
            let policy = try #require(try await client.receive())
            #expect(policy.type == .policy)
            #expect(policy.policyContent?.version == 5)
            #expect(policy.policyContent?.rule == "cached")

            client.send(.audits(sequence: 1, events: [["id": "e-1", "msg": "a"], ["id": "e-2", "msg": "b"]]))
            let ack = try #require(try await client.receive())
            #expect(ack.type == .ack)
            #expect(ack.id == "1")
            let spool = try AuditSpool(directory: volume + "/.relay/def-1/spool")
            let spooled = spool.pending().flatMap { spool.events($0) }.compactMap { $0.objectValue?["id"]?.stringValue }
            #expect(spooled == ["e-1", "e-2"])
        }
    }

    /// A defender in the security startup mode must not start its app on what an earlier run kept: the relay
    /// marks that policy as cached (a console policy of this run comes unmarked, as the uplink receives it).
    @Test func aPolicyFromAnEarlierRunIsMarkedCached() async throws {
        try await Self.withRelay(prepare: Self.cachePolicy) { volume in
            let client = try Client(volume + "/channel.sock")
            client.send(Self.hello("def-1"))
            let policy = try #require(try await client.receive())
            #expect(policy.policyContent?.rule == "cached")
            #expect(policy.isCachedPolicy)
            #expect(policy.payload["cached"] == true)
        }
        #expect(!LocalMessage.policy(version: 1, rule: nil, document: ["rules": []]).isCachedPolicy)
    }

    @Test func aReportIsKeptForTheConsoleLatestWins() async throws {
        try await Self.withRelay { volume in
            let client = try Client(volume + "/channel.sock")
            client.send(Self.hello("def-1"))
            for root in ["/first", "/second"] {
                let report: JSONValue = ["root": .string(root), "findings": [], "errors": []]
                client.send(LocalMessage(type: .report, id: "compliance", payload: JSONObject(["kind": "compliance", "report": report])))
            }
            // The relay's uplink for def-1 keeps the latest report to send once the console answers.
            let path = volume + "/.relay/def-1/report-compliance.json"
            let deadline = ContinuousClock.now + .seconds(5)
            while ContinuousClock.now < deadline, (try? String(contentsOfFile: path, encoding: .utf8))?.contains("/second") != true {
                try await Task.sleep(for: .milliseconds(20))
            }
            let kept = try JSONValue.parse(String(contentsOfFile: path, encoding: .utf8)).objectValue
            #expect(kept?["root"] == "/second" && kept?["findings"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test(arguments: [
        [hello("../escape")],
        [LocalMessage.audits(sequence: 1, events: [["id": "x"]])],
        [hello("def-2"), hello("def-2")],
    ])
    func aDefenderThatBreaksTheProtocolIsDisconnected(messages: [LocalMessage]) async throws {
        try await Self.withRelay { volume in
            let client = try Client(volume + "/channel.sock")
            for message in messages { client.send(message) }
            while let message = try await client.receive() {
                #expect(message.type != .ack)
            }
            #expect(!FileManager.default.fileExists(atPath: volume + "/escape"))
            #expect(!FileManager.default.fileExists(atPath: volume + "/.relay/../escape"))
        }
    }

    /// Issue 9, item 12: the socket is not world-writable, and the sidecar decides the app ID, not the process
    /// on the other end of the socket.
    @Test func theSocketIsPrivateAndTheSidecarSaysWhichAppThisIs() async throws {
        try await Self.withRelay { volume, relay in
            let mode = try FileManager.default.attributesOfItem(atPath: volume + "/channel.sock")[.posixPermissions] as? Int
            #expect(mode.map { $0 & 0o007 } == 0, "the socket is open to other users: \(String(mode ?? 0, radix: 8))")
            let client = try Client(volume + "/channel.sock")
            var hello = Self.hello("def-9")
            hello.payload["appID"] = "payments-admin"
            hello.payload["taskFamily"] = "someone-elses-task"
            client.send(hello)
            client.send(.audits(sequence: 1, events: [["id": "e-1", "msg": "a"]]))
            #expect(try await client.receive()?.type == .ack)
            let relayed = try #require(relay.hello(of: "def-9"))
            #expect(relayed.appID == "shop" && relayed.taskFamily == "shop-task")
            #expect(relayed.container == "web")
        }
    }

    @Test func aGroupForTheSocketIsANumber() throws {
        let bundle = InstallBundle(consoleAddress: "ws://c:1", caCertificatePEM: "", token: "t").encoded
        let given = try RelayConfiguration.fromEnvironment(["SCUTE_INSTALL_BUNDLE": bundle, "SCUTE_RELAY_GROUP": "1000"], volume: "/v")
        #expect(given?.socketGroup == 1000)
        #expect(throws: RelayError.self) {
            _ = try RelayConfiguration.fromEnvironment(["SCUTE_INSTALL_BUNDLE": bundle, "SCUTE_RELAY_GROUP": "staff"], volume: "/v")
        }
    }
}
