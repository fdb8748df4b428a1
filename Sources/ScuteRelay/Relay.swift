import Logging
import NIOCore
import NIOPosix
import ScuteCore
import ScuteUplink
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Settings of the sidecar's relay between the in-task defenders and the console.
public struct RelayConfiguration: Sendable {
    /// The shared volume; the socket is `<volume>/channel.sock`.
    public var volume: String
    public var bundle: InstallBundle
    /// SCUTE_CONSOLE, when it overrides the bundle's address.
    public var consoleAddress: String?
    /// One data folder (policy cache, audit spool) per defender below it; writable by the sidecar only.
    public var relayFolder: String
    /// Filled into a defender's hello where it left them empty (the sidecar knows its task).
    public var appID: String
    public var taskFamily: String
    public var taskARN: String
    /// How long a defender's console channel stays up after its last connection closed (and its spool is empty).
    public var linger: Duration
    /// The group that may connect to the socket besides the sidecar's own user (SCUTE_RELAY_GROUP, a
    /// numeric group ID): give it when the app containers run as a user other than the sidecar's.
    public var socketGroup: UInt32?
    /// One console connection for the whole task, each defender a virtual channel in it (the default);
    /// false (SCUTE_RELAY_MULTIPLEX=0) opens one connection per defender.
    public var multiplex: Bool

    public init(
        volume: String,
        bundle: InstallBundle,
        consoleAddress: String? = nil,
        relayFolder: String? = nil,
        appID: String = "",
        taskFamily: String = "",
        taskARN: String = "",
        linger: Duration = .seconds(10),
        socketGroup: UInt32? = nil,
        multiplex: Bool = true
    ) {
        self.volume = volume
        self.bundle = bundle
        self.consoleAddress = consoleAddress
        self.relayFolder = relayFolder ?? Self.join(volume, ".relay")
        self.appID = appID
        self.taskFamily = taskFamily
        self.taskARN = taskARN
        self.linger = linger
        self.socketGroup = socketGroup
        self.multiplex = multiplex
    }

    /// The relay the sidecar's environment asks for: nil without SCUTE_INSTALL_BUNDLE.
    public static func fromEnvironment(_ env: [String: String], volume: String) throws(RelayError) -> RelayConfiguration? {
        guard let encoded = env["SCUTE_INSTALL_BUNDLE"], !encoded.isEmpty else { return nil }
        let bundle: InstallBundle
        do {
            bundle = try InstallBundle.decode(encoded)
        } catch {
            throw .configuration("SCUTE_INSTALL_BUNDLE: \(error.message)")
        }
        func value(_ key: String) -> String? { env[key].flatMap { $0.isEmpty ? nil : $0 } }
        var group: UInt32?
        if let text = value("SCUTE_RELAY_GROUP") {
            guard let gid = UInt32(text) else { throw .configuration("SCUTE_RELAY_GROUP: expected a numeric group ID, found \(text)") }
            group = gid
        }
        return RelayConfiguration(
            volume: volume,
            bundle: bundle,
            consoleAddress: value("SCUTE_CONSOLE"),
            relayFolder: value("SCUTE_RELAY_FOLDER"),
            appID: value("SCUTE_APP_ID") ?? "",
            taskFamily: value("SCUTE_TASK_FAMILY") ?? "",
            taskARN: value("SCUTE_TASK_ARN") ?? "",
            socketGroup: group,
            multiplex: !["0", "false", "no", "off"].contains(value("SCUTE_RELAY_MULTIPLEX")?.lowercased() ?? "")
        )
    }

    /// The unix socket the defenders connect to.
    public var socketPath: String { Self.join(volume, LocalMessage.socketName) }

    static func join(_ folder: String, _ name: String) -> String {
        folder.hasSuffix("/") ? folder + name : folder + "/" + name
    }
}

/// Errors of the relay.
public struct RelayError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case configuration(String)
        case peer(String)
    }

    private let kind: Kind

    static func configuration(_ m: String) -> RelayError { RelayError(kind: .configuration(m)) }
    static func peer(_ m: String) -> RelayError { RelayError(kind: .peer(m)) }

    public var description: String {
        switch kind {
        case .configuration(let m): return m
        case .peer(let m): return "defender: \(m)"
        }
    }
}

/// The sidecar's relay: serves the in-task defenders on `<volume>/channel.sock` and runs one console
/// ``Uplink`` per defender (its own hello, policy cache and durable spool), forwarding policies down and
/// audits up. A batch is acknowledged to the defender only once it is in the spool.
public final class Relay: Sendable {
    public let configuration: RelayConfiguration
    private let logger: Logger
    private let defenders = Mutex<[String: RelayedDefender]>([:])
    private let started: AsyncStream<RelayedDefender>
    private let startContinuation: AsyncStream<RelayedDefender>.Continuation
    /// The task's one console connection, when the relay multiplexes.
    public let taskChannel: TaskChannel?

    public init(configuration: RelayConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        (started, startContinuation) = AsyncStream<RelayedDefender>.makeStream()
        let folder = configuration.relayFolder
        taskChannel =
            configuration.multiplex
            ? TaskChannel(
                bundle: configuration.bundle,
                consoleAddress: configuration.consoleAddress,
                logger: logger,
                fallbackSecrets: { TaskChannel.credentials(under: folder) }
            ) : nil
    }

    /// The defenders with a console channel now.
    public var defenderIDs: [String] { defenders.withLock { Array($0.keys) } }

    /// What the relay tells the console about a defender (its hello as the sidecar completed it).
    public func hello(of defenderID: String) -> DefenderHello? {
        defenders.withLock { $0[defenderID]?.uplink.configuration.hello }
    }

    /// Files audits made in the sidecar about one container (the web application firewall's events) on the
    /// console channel of a defender in that container, so that they carry its app, task and container.
    /// Returns false, filing nothing, while no defender of that container has connected.
    public func forward(audits: [JSONValue], container: String) throws -> Bool {
        let defender = defenders.withLock { registry in
            registry.values.filter { $0.uplink.configuration.hello.container == container }
                .min { $0.uplink.configuration.hello.defenderID < $1.uplink.configuration.hello.defenderID }
        }
        guard let defender else { return false }
        try defender.uplink.send(json: audits)
        return true
    }

    /// Listens and relays until the task is cancelled.
    public func run() async throws {
        try FileManager.default.createDirectory(atPath: configuration.volume, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: configuration.relayFolder,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        let path = configuration.socketPath
        // Bound in the relay's private folder, made private there, then moved into the volume: the socket
        // is never reachable with the mode the umask gave it.
        let staging = RelayConfiguration.join(configuration.relayFolder, "channel.sock.new")
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .bind(unixDomainSocketPath: staging, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        // Never world-writable: only the sidecar's user and group (SCUTE_RELAY_GROUP, for app containers
        // that run as another user) may connect and speak for a defender.
        if let group = configuration.socketGroup, chown(staging, uid_t.max, group) != 0 {
            logger.warning("relay.socket.chown_failed", metadata: ["group": "\(group)", "errno": "\(errno)"])
        }
        guard chmod(staging, 0o660) == 0 else { throw RelayError.configuration("cannot restrict the mode of \(path) (errno \(errno))") }
        guard rename(staging, path) == 0 else { throw RelayError.configuration("cannot move the socket to \(path) (errno \(errno))") }
        logger.info("relay.listening", metadata: ["socket": "\(path)"])
        defer { unlink(path) }
        try await withThrowingDiscardingTaskGroup { group in
            if let taskChannel {
                group.addTask { await taskChannel.run() }
            }
            group.addTask {
                try await server.executeThenClose { inbound in
                    try await withThrowingDiscardingTaskGroup { connections in
                        for try await connection in inbound {
                            connections.addTask { await self.serve(connection) }
                        }
                    }
                }
            }
            for await defender in started {
                group.addTask {
                    await defender.run(linger: self.configuration.linger) { self.retire(defender) }
                }
            }
        }
    }

    /// One defender connection, until it closes or breaks the protocol.
    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        var attached: (RelayedDefender, Int)?
        do {
            try await connection.executeThenClose { inbound, outbound in
                let writer: RelayedDefender.Writer = { message in
                    try? await outbound.write(ByteBuffer(string: message.line))
                }
                defer { if let (defender, token) = attached { defender.detach(token) } }
                var lines = LineBuffer()
                for try await chunk in inbound {
                    for line in try lines.append(chunk.readableBytesView) {
                        let message = try LocalMessage.parse(line)
                        switch message.type {
                        case .hello:
                            guard attached == nil else { throw RelayError.peer("a second hello") }
                            let (defender, token) = try attach(hello: message.payload, writer: writer)
                            attached = (defender, token)
                            // Attached first, then read: a console policy arriving meanwhile reaches this writer
                            // too, so a defender waiting for the console's (security startup mode) never misses it.
                            let fromConsole = defender.hasConsolePolicy
                            if let policy = defender.uplink.policy {
                                await writer(
                                    .policy(
                                        version: policy.version,
                                        rule: policy.rule,
                                        document: policy.document,
                                        compliance: policy.compliance,
                                        cached: !fromConsole
                                    )
                                )
                            }
                        case .audits:
                            guard let (defender, _) = attached else { throw RelayError.peer("audits before hello") }
                            try defender.uplink.send(json: message.events)
                            try await outbound.write(ByteBuffer(string: LocalMessage.ack(message.id).line))
                        case .report:
                            guard let (defender, _) = attached else { throw RelayError.peer("report before hello") }
                            // Latest wins: a report the console will not take is the console's to refuse.
                            if let kind = message.payload["kind"]?.stringValue, let report = message.payload["report"] {
                                try? defender.uplink.report(kind: kind, json: Array(report.serialized(.compact).utf8))
                            }
                        case .policy, .ack:
                            throw RelayError.peer("unexpected \(message.type.rawValue) message")
                        }
                    }
                }
            }
        } catch {
            logger.info("relay.connection.closed", metadata: ["error": "\(error)"])
        }
    }

    private func attach(hello payload: JSONObject, writer: @escaping RelayedDefender.Writer) throws -> (RelayedDefender, Int) {
        var hello = try DefenderHello(payload: payload)
        guard Self.isSafeID(hello.defenderID) else { throw RelayError.peer("hello.defenderID: letters, digits, '.', '_' and '-' only") }
        // The sidecar, not the process on the other end of the socket, says which app and task this is: a
        // process in an app container could otherwise claim another app's policy and file audits under it.
        if !configuration.appID.isEmpty || hello.appID.isEmpty { hello.appID = configuration.appID }
        if !configuration.taskFamily.isEmpty || hello.taskFamily.isEmpty { hello.taskFamily = configuration.taskFamily }
        if !configuration.taskARN.isEmpty || hello.taskARN.isEmpty { hello.taskARN = configuration.taskARN }
        // The relay's uplink speaks to the console, in the relay's protocol (it keeps the credential).
        hello.protocolVersion = ChannelMessage.protocolVersion
        return try defenders.withLock { registry in
            if let existing = registry[hello.defenderID] {
                return (existing, existing.attach(writer))
            }
            let uplink = try Uplink(
                configuration: UplinkConfiguration(
                    bundle: configuration.bundle,
                    consoleAddress: configuration.consoleAddress,
                    dataFolder: RelayConfiguration.join(configuration.relayFolder, hello.defenderID),
                    hello: hello,
                    transport: taskChannel
                ),
                logger: logger
            )
            let defender = RelayedDefender(uplink: uplink)
            registry[hello.defenderID] = defender
            startContinuation.yield(defender)
            logger.info("relay.defender.attached", metadata: ["defender.id": "\(hello.defenderID)", "app.id": "\(hello.appID)"])
            return (defender, defender.attach(writer))
        }
    }

    /// Removes an idle defender, unless a connection attached meanwhile; returns whether it did.
    private func retire(_ defender: RelayedDefender) -> Bool {
        defenders.withLock { registry in
            guard defender.isIdle else { return false }
            let id = defender.uplink.configuration.hello.defenderID
            if registry[id] === defender { registry[id] = nil }
            return true
        }
    }

    static func isSafeID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 128 && !id.hasPrefix(".")
            && id.unicodeScalars.allSatisfy {
                ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-".unicodeScalars.contains($0)
            }
    }
}

/// One defender's console channel and the connections attached to it.
final class RelayedDefender: Sendable {
    typealias Writer = @Sendable (LocalMessage) async -> Void

    private struct State {
        var writers: [Int: Writer] = [:]
        var nextToken = 0
        var idleSince = ContinuousClock.now
        /// Whether the console sent a policy since this relay started (the uplink's may come from its cache).
        var consolePolicy = false
    }

    let uplink: Uplink
    private let state = Mutex(State())

    init(uplink: Uplink) { self.uplink = uplink }

    func attach(_ writer: @escaping Writer) -> Int {
        state.withLock { s in
            s.nextToken += 1
            s.writers[s.nextToken] = writer
            return s.nextToken
        }
    }

    func detach(_ token: Int) {
        state.withLock { s in
            s.writers[token] = nil
            if s.writers.isEmpty { s.idleSince = .now }
        }
    }

    /// Whether the uplink's policy came from the console since the relay started, not from an earlier run's cache.
    var hasConsolePolicy: Bool { state.withLock { $0.consolePolicy } }

    /// No connection attached and nothing left to upload.
    var isIdle: Bool { state.withLock { $0.writers.isEmpty } && uplink.spool.pending().isEmpty }

    private func idleFor(_ linger: Duration) -> Bool {
        let since = state.withLock { s in s.writers.isEmpty ? s.idleSince : nil }
        guard let since else { return false }
        return ContinuousClock.now - since >= linger && uplink.spool.pending().isEmpty
    }

    /// Runs the console channel until the defender has been idle for `linger` and `retire` agrees.
    func run(linger: Duration, retire: @escaping @Sendable () -> Bool) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                await self.uplink.run { policy in
                    let writers = self.state.withLock { s in
                        s.consolePolicy = true
                        return Array(s.writers.values)
                    }
                    let message = LocalMessage.policy(
                        version: policy.version,
                        rule: policy.rule,
                        document: policy.document,
                        compliance: policy.compliance
                    )
                    for write in writers { await write(message) }
                }
            }
            while !Task.isCancelled {
                do {
                    try await Task.sleep(for: .milliseconds(500))
                } catch {
                    break
                }
                if idleFor(linger) && retire() { break }
            }
            group.cancelAll()
        }
    }
}
