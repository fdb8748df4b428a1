import Glibc
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ScuteCore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The policy the console sent for this defender.
public struct UplinkPolicy: Sendable, Equatable {
    public var version: Int64
    /// The name of the console rule that matched, if any.
    public var rule: String?
    /// `{"rules": [...]}` in the policy model.
    public var document: JSONValue
    /// The compliance settings next to the policy: `{"rule", "checks": [424, ...], "customChecks": [...]}`;
    /// nil from a console that sends none.
    public var compliance: JSONValue?

    public init(version: Int64, rule: String?, document: JSONValue, compliance: JSONValue? = nil) {
        self.version = version
        self.rule = rule
        self.document = document
        self.compliance = compliance
    }

    /// The document as a ``Policy`` the defender enforces.
    public func policy() throws(PolicyError) -> Policy { try Policy(json: document) }

    var json: JSONValue {
        var o = JSONObject(["version": .number(String(version)), "rule": rule.map(JSONValue.string) ?? .null, "policy": document])
        if let compliance { o["compliance"] = compliance }
        return .object(o)
    }

    init?(payload: JSONObject) {
        guard let doc = payload["policy"], doc.objectValue != nil else { return nil }
        let version = payload["version"]?.intValue.map(Int64.init) ?? 0
        let compliance = payload["compliance"].flatMap { $0.objectValue != nil ? $0 : nil }
        self.init(version: version, rule: payload["rule"]?.stringValue, document: doc, compliance: compliance)
    }
}

/// Settings of the uplink (the defender's or sidecar's link to the console).
public struct UplinkConfiguration: Sendable {
    public var bundle: InstallBundle
    /// The channel address; SCUTE_CONSOLE overrides the bundle's.
    public var consoleAddress: String
    /// Holds `policy.json` (the last policy) and `spool/` (audits not yet acknowledged).
    public var dataFolder: String
    public var hello: DefenderHello
    public var heartbeat: Duration
    /// First wait before reconnecting; doubles up to `maxReconnectDelay`.
    public var reconnectDelay: Duration
    public var maxReconnectDelay: Duration
    /// How long to wait for an ack before reconnecting.
    public var ackTimeout: Duration
    /// The largest `audits` message sent, bytes; a smaller limit the console announces in `welcome` wins.
    public var maxMessageBytes: Int
    /// The most events in one `audits` message; a smaller limit the console announces wins.
    public var maxEventsPerMessage: Int
    /// How long a sent report waits for the console's ack before it is sent again.
    public var reportRetry: Duration
    /// Where conversations are opened: nil for a WebSocket of this uplink's own, or a sidecar's task channel
    /// (``TaskChannel``), which carries every defender of the task over one connection.
    public var transport: (any UplinkTransport)?

    public init(
        bundle: InstallBundle,
        consoleAddress: String? = nil,
        dataFolder: String,
        hello: DefenderHello,
        heartbeat: Duration = .seconds(10),
        reconnectDelay: Duration = .milliseconds(200),
        maxReconnectDelay: Duration = .seconds(30),
        ackTimeout: Duration = .seconds(15),
        maxMessageBytes: Int = 1 << 20,
        maxEventsPerMessage: Int = 10_000,
        reportRetry: Duration = .seconds(10),
        transport: (any UplinkTransport)? = nil
    ) {
        self.bundle = bundle
        self.consoleAddress = consoleAddress ?? bundle.consoleAddress
        self.dataFolder = dataFolder
        self.hello = hello
        self.heartbeat = heartbeat
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.ackTimeout = ackTimeout
        self.maxMessageBytes = maxMessageBytes
        self.maxEventsPerMessage = maxEventsPerMessage
        self.reportRetry = reportRetry
        self.transport = transport
    }

    /// The stable defender id kept in the data folder (created on first use).
    public static func defenderID(dataFolder: String) throws -> String {
        let path = dataFolder + "/defender-id"
        if let data = FileManager.default.contents(atPath: path), let id = String(data: data, encoding: .utf8), !id.isEmpty {
            return id.strippingWhitespace()
        }
        try FileManager.default.createDirectory(atPath: dataFolder, withIntermediateDirectories: true)
        let id = AuditEvent.newID()
        try Data(id.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        return id
    }
}

/// The defender side of the channel: connects with the install bundle, keeps the last policy in the data
/// folder, spools audits on disk and uploads them in acknowledged batches, reconnects with backoff.
public final class Uplink: Sendable {
    public let configuration: UplinkConfiguration
    public let spool: AuditSpool
    private let logger: Logger
    private let state = Mutex(State())

    private struct State {
        var connected = false
        var lastPolicy: UplinkPolicy?
        var fatal: String?
        /// The message limits the console announced in this session's `welcome`.
        var maxMessageBytes: Int?
        var maxEventsPerMessage: Int?
        var droppedEvents = 0
        /// This defender's own credential, once the console enrolled it (kept in the data folder).
        var credential: String?
        /// Whether the console knows the credential is kept: it accepted it, or echoed the `enrolled` heartbeat.
        var credentialConfirmed = false
        /// The latest report of each kind (`compliance`, `inventory`) and how often it changed: a session
        /// sends each kind it has not sent in its latest version yet (latest wins, not a queue).
        var reports: [String: JSONValue] = [:]
        var reportGenerations: [String: Int] = [:]
        /// The generation of each kind the console acknowledged in this session (it stored it, or refused it
        /// for good); a report not acknowledged within `reportRetry` is sent again.
        var reportsAcknowledged: [String: Int] = [:]
    }

    public init(configuration: UplinkConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
        try FileManager.default.createDirectory(
            atPath: configuration.dataFolder,
            withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o700]
        )
        self.spool = try AuditSpool(directory: configuration.dataFolder + "/spool")
        let cached = Self.loadCachedPolicy(dataFolder: configuration.dataFolder)
        let credential = CredentialFile(dataFolder: configuration.dataFolder).load()
        let reports = Self.loadCachedReports(dataFolder: configuration.dataFolder)
        state.withLock {
            $0.lastPolicy = cached
            $0.credential = credential
            $0.reports = reports
            for kind in reports.keys { $0.reportGenerations[kind] = 1 }
        }
    }

    /// The report kinds the channel carries.
    public static let reportKinds = ["compliance", "inventory"]

    /// Keeps `json` (a JSON object) as the latest report of `kind` (`compliance` or `inventory`), in the data
    /// folder too, and sends it once connected, again after every reconnect; a newer one replaces it unsent.
    public func report(kind: String, json: [UInt8]) throws {
        guard Self.reportKinds.contains(kind) else { throw ChannelProtocolError("report.kind: expected compliance or inventory") }
        guard json.count <= ChannelMessage.maxReportBytes else {
            throw ChannelProtocolError("report: larger than \(ChannelMessage.maxReportBytes) bytes")
        }
        let value = try JSONValue.parse(bytes: json)
        guard value.objectValue != nil else { throw ChannelProtocolError("report: expected a JSON object") }
        state.withLock {
            $0.reports[kind] = value
            $0.reportGenerations[kind, default: 0] += 1
        }
        let path = configuration.dataFolder + "/report-\(kind).json"
        try Data(json).write(to: URL(fileURLWithPath: path + ".tmp"))
        _ = rename(path + ".tmp", path)
    }

    /// The reports an earlier run kept in `dataFolder`, by kind.
    package static func loadCachedReports(dataFolder: String) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for kind in reportKinds {
            guard let data = FileManager.default.contents(atPath: dataFolder + "/report-\(kind).json"),
                let value = try? JSONValue.parse(bytes: Array(data)), value.objectValue != nil
            else { continue }
            out[kind] = value
        }
        return out
    }

    /// The report kinds whose latest version the console has not acknowledged in this session.
    public var unacknowledgedReports: [String] {
        state.withLock { s in s.reports.keys.filter { s.reportsAcknowledged[$0] != s.reportGenerations[$0] }.sorted() }
    }

    /// Whether the console enrolled this defender: it then presents its own credential, not the bundle's token.
    public var isEnrolled: Bool { state.withLock { $0.credential != nil } }
    /// Whether the console has this defender's enrollment as final (it knows the credential is kept).
    public var isEnrollmentConfirmed: Bool { state.withLock { $0.credentialConfirmed } }

    /// Whether a channel is up now.
    public var isConnected: Bool { state.withLock { $0.connected } }
    /// The latest policy: from the console, or from the cache of an earlier run.
    public var policy: UplinkPolicy? { state.withLock { $0.lastPolicy } }
    /// Why the console refused this defender for good (revoked), if it did.
    public var refusal: String? { state.withLock { $0.fatal } }
    /// Audit events left out because one alone was larger than a message the console takes.
    public var droppedEvents: Int { state.withLock { $0.droppedEvents } }

    /// Queues audits for the console; durable on disk when this returns.
    public func send(_ events: [AuditEvent]) throws { try spool.append(events.map(\.json)) }

    /// Queues audit objects already in JSON form.
    public func send(json events: [JSONValue]) throws { try spool.append(events) }

    /// Connects and stays connected until the task is cancelled. `onPolicy` gets each policy the console sends.
    public func run(onPolicy: @escaping @Sendable (UplinkPolicy) async -> Void = { _ in }) async {
        var delay = configuration.reconnectDelay
        while !Task.isCancelled {
            let started = ContinuousClock.now
            do {
                try await session(onPolicy: onPolicy)
            } catch is CancellationError {
                break
            } catch {
                logger.debug("uplink.session.ended", metadata: ["error": "\(error)"])
            }
            state.withLock {
                $0.connected = false
                $0.reportsAcknowledged = [:]
                $0.maxMessageBytes = nil
                $0.maxEventsPerMessage = nil
            }
            if ContinuousClock.now - started > .seconds(30) { delay = configuration.reconnectDelay }
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
            delay = min(delay * 2, configuration.maxReconnectDelay)
        }
        state.withLock { $0.connected = false }
    }

    static func hostIsIPAddress(_ address: String) -> Bool {
        var rest = Substring(address)
        if let scheme = rest.firstRange(of: "://") { rest = rest[scheme.upperBound...] }
        if rest.hasPrefix("[") { return true }
        let host = rest.prefix { $0 != ":" && $0 != "/" }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { UInt8($0) != nil }
    }

    private func tlsConfiguration() throws -> TLSConfiguration? {
        guard configuration.consoleAddress.hasPrefix("wss://") else { return nil }
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        tls.shutdownTimeout = .milliseconds(500)
        if !configuration.bundle.caCertificatePEM.isEmpty {
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(configuration.bundle.caCertificatePEM.utf8)))
        }
        return tls
    }

    private func session(onPolicy: @escaping @Sendable (UplinkPolicy) async -> Void) async throws {
        var wsConfiguration = WebSocketClientConfiguration()
        wsConfiguration.maxFrameSize = 1 << 20
        // When the defender stops, do not wait long for the console's close frame.
        wsConfiguration.closeTimeout = .milliseconds(500)
        // Enrolled: the defender's own credential. Not yet (or the console forgot it): the install bundle's token.
        let secret = state.withLock { $0.credential } ?? configuration.bundle.token
        if let transport = configuration.transport {
            let conversation = try await transport.open(secret: secret)
            defer { conversation.close() }
            try await converse(messages: conversation.messages, write: conversation.write, onPolicy: onPolicy)
            return
        }
        wsConfiguration.additionalHeaders = [.authorization: "Bearer \(secret)"]
        let url = configuration.consoleAddress.hasSuffix("/channel") ? configuration.consoleAddress : configuration.consoleAddress + "/channel"
        var tls = try tlsConfiguration()
        if tls != nil, Self.hostIsIPAddress(configuration.consoleAddress) {
            // TLS forbids IP addresses in SNI, and the WebSocket client would send the host as SNI: name the
            // server something else and check the certificate against the console's own CA only (the bundle's
            // CA signs nothing but this console's certificates), without the host name check.
            wsConfiguration.sniHostname = "scute-console"
            tls?.certificateVerification = .noHostnameVerification
        }
        try await WebSocketClient.connect(url: url, configuration: wsConfiguration, tlsConfiguration: tls, logger: logger) {
            inbound,
            outbound,
            _ in
            let texts = inbound.messages(maxSize: 1 << 22).compactMap { frame -> String? in
                guard case .text(let text) = frame else { return nil }
                return text
            }
            try await self.converse(messages: texts, write: { try await outbound.write(.text($0)) }, onPolicy: onPolicy)
        }
    }

    private func converse<Messages: AsyncSequence & Sendable>(
        messages: Messages,
        write: @escaping @Sendable (String) async throws -> Void,
        onPolicy: @escaping @Sendable (UplinkPolicy) async -> Void
    ) async throws where Messages.Element == String {
        let outbound = TextWriter(write: write)
        try await outbound.write(ChannelMessage(type: .hello, payload: configuration.hello.payload).text)
        let (acks, ackContinuation) = AsyncStream<String>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                // Reader: policies, acks, errors.
                defer { ackContinuation.finish() }
                for try await text in messages {
                    guard case .success(let message) = ChannelMessage.parse(text) else { continue }
                    switch message.type {
                    case .welcome, .policy:
                        let settings = message.payload["settings"]?.objectValue
                        // The credential is kept before the session counts as connected: whoever sees it connected
                        // also sees it enrolled.
                        var kept = false
                        if let credential = message.payload["credential"]?.stringValue, message.type == .welcome {
                            kept = self.enrolled(with: credential)
                        }
                        self.state.withLock {
                            // Welcomed on its own credential: the console has it as confirmed.
                            if message.type == .welcome, $0.credential != nil, message.payload["credential"] == nil { $0.credentialConfirmed = true }
                            if let limit = settings?["maxMessageBytes"]?.intValue, limit > 0 { $0.maxMessageBytes = limit }
                            if let limit = settings?["maxEventsPerBatch"]?.intValue, limit > 0 { $0.maxEventsPerMessage = limit }
                            $0.connected = true
                        }
                        if kept {
                            // Kept on disk: the console may now forget the install bundle's part in it.
                            let confirm = ChannelMessage(type: .heartbeat, id: "enrolled", payload: JSONObject(["credentialKept": true]))
                            try await outbound.write(confirm.text)
                        }
                        if let policy = UplinkPolicy(payload: message.payload) {
                            self.cache(policy)
                            await onPolicy(policy)
                        }
                    case .ack where message.id.hasPrefix(Self.reportAckPrefix):
                        self.reportAcknowledged(message)
                    case .ack:
                        if let reason = message.payload["refused"]?.stringValue {
                            self.logger.warning("uplink.audits.refused", metadata: ["batch": "\(message.id)", "reason": "\(reason)"])
                        }
                        ackContinuation.yield(message.id)
                    case .heartbeat where message.id == "enrolled":
                        self.state.withLock { $0.credentialConfirmed = $0.credential != nil }
                    case .error:
                        if message.payload["fatal"] == .bool(true) {
                            let reason = message.payload["message"]?.stringValue ?? "refused"
                            self.state.withLock { $0.fatal = reason }
                            self.logger.warning("uplink.refused", metadata: ["reason": "\(reason)"])
                            if message.payload["code"]?.stringValue == "credential" {
                                // The console does not know this credential (the defender was deleted or its
                                // credentials revoked): enroll again with the install bundle next time.
                                self.forgetCredential()
                            }
                        }
                    default:
                        break
                    }
                }
                throw ChannelProtocolError("the console closed the channel")
            }
            group.addTask {
                // Heartbeats.
                var n = 0
                while true {
                    try await Task.sleep(for: self.configuration.heartbeat)
                    n += 1
                    try await outbound.write(ChannelMessage(type: .heartbeat, id: String(n)).text)
                    // Wakes a sender waiting for an ack, so its ack timeout holds even when nothing arrives.
                    ackContinuation.yield("")
                }
            }
            group.addTask {
                // Reports: the latest of each kind, until the console acknowledges that generation; sent again
                // when the ack does not come (the console could not store it) or a newer one replaces it.
                var sent: [String: (generation: Int, at: ContinuousClock.Instant)] = [:]
                while true {
                    let now = ContinuousClock.now
                    let due = self.state.withLock { s -> [(String, JSONValue, Int)] in
                        guard s.connected else { return [] }
                        return s.reports.compactMap { kind, value in
                            let generation = s.reportGenerations[kind] ?? 0
                            if s.reportsAcknowledged[kind] == generation { return nil }
                            if let last = sent[kind], last.generation == generation, now - last.at < self.configuration.reportRetry { return nil }
                            return (kind, value, generation)
                        }
                    }
                    for (kind, value, generation) in due {
                        let payload = JSONObject(["kind": .string(kind), "report": value])
                        let id = "\(Self.reportAckPrefix)\(kind)-\(generation)"
                        try await outbound.write(ChannelMessage(type: .report, id: id, payload: payload).text)
                        sent[kind] = (generation, now)
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            group.addTask {
                // Sender: the oldest spooled batch, once the console has welcomed this session, in messages
                // within the console's limits, one at a time; the batch is deleted once every part is acknowledged.
                var ackIterator = acks.makeAsyncIterator()
                while true {
                    guard self.isConnected, let seq = self.spool.pending().first else {
                        try await Task.sleep(for: .milliseconds(50))
                        continue
                    }
                    let (maxBytes, maxEvents) = self.messageLimits()
                    let batches = AuditBatches(self.spool.events(seq), maxBytes: maxBytes, maxEvents: maxEvents)
                    if batches.dropped > 0 {
                        self.state.withLock { $0.droppedEvents += batches.dropped }
                        self.logger.warning("uplink.audits.too_large", metadata: ["dropped": "\(batches.dropped)", "batch": "\(seq)"])
                    }
                    for (index, events) in batches.parts.enumerated() {
                        let id = batches.id(sequence: seq, part: index)
                        let message = ChannelMessage(type: .audits, id: id, payload: JSONObject(["events": .array(events)]))
                        try await outbound.write(message.text)
                        let deadline = ContinuousClock.now + self.configuration.ackTimeout
                        var acknowledged = false
                        while !acknowledged {
                            guard ContinuousClock.now < deadline, let ack = await ackIterator.next() else {
                                throw ChannelProtocolError("no ack for audit batch \(id)")
                            }
                            acknowledged = ack == id
                        }
                    }
                    self.spool.remove(seq)
                }
            }
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Report message ids: `report-<kind>-<generation>`; the console acknowledges with the same id.
    static let reportAckPrefix = "report-"

    private func reportAcknowledged(_ message: ChannelMessage) {
        let parts = message.id.dropFirst(Self.reportAckPrefix.count).split(separator: "-")
        guard parts.count == 2, let generation = Int(parts[1]) else { return }
        if let reason = message.payload["refused"]?.stringValue {
            logger.warning("uplink.report.refused", metadata: ["kind": "\(parts[0])", "reason": "\(reason)"])
        }
        state.withLock { $0.reportsAcknowledged[String(parts[0])] = generation }
    }

    /// Keeps the credential the console issued; whether it is on disk (else the console rolls the enrollment
    /// back when this session ends, and the next one enrolls again).
    private func enrolled(with credential: String) -> Bool {
        do {
            try CredentialFile(dataFolder: configuration.dataFolder).save(credential)
        } catch {
            logger.warning("uplink.credential.save_failed", metadata: ["error": "\(error)"])
            return false
        }
        state.withLock {
            $0.credential = credential
            $0.credentialConfirmed = false
        }
        return true
    }

    private func forgetCredential() {
        state.withLock {
            $0.credential = nil
            $0.credentialConfirmed = false
        }
        CredentialFile(dataFolder: configuration.dataFolder).remove()
    }

    /// The message limits: the configured ones, or the console's when it announced smaller ones.
    private func messageLimits() -> (bytes: Int, events: Int) {
        state.withLock { s in
            (
                min(configuration.maxMessageBytes, s.maxMessageBytes ?? .max),
                min(configuration.maxEventsPerMessage, s.maxEventsPerMessage ?? .max)
            )
        }
    }

    private func cache(_ policy: UplinkPolicy) {
        state.withLock { $0.lastPolicy = policy }
        let path = configuration.dataFolder + "/policy.json"
        do {
            try Data(policy.json.serialized(.compact).utf8).write(to: URL(fileURLWithPath: path + ".tmp"))
            _ = rename(path + ".tmp", path)
        } catch {
            logger.warning("uplink.policy_cache.failed")
        }
    }

    static func loadCachedPolicy(dataFolder: String) -> UplinkPolicy? {
        guard let data = FileManager.default.contents(atPath: dataFolder + "/policy.json"),
            let value = try? JSONValue.parse(bytes: Array(data)), let o = value.objectValue
        else { return nil }
        return UplinkPolicy(payload: o)
    }
}
