import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL
import ScuteCore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A sidecar's one connection to the console for its whole task (`/channel/task`), carrying each defender's
/// conversation as a virtual channel: frames are `CHANNEL\nBODY`, with the bodies `open SECRET` and
/// `close` around a channel's messages. Each defender keeps its own uplink (credential, spool, policy cache);
/// only the connection is shared. When the connection drops, every conversation ends, and the uplinks open
/// new ones once it is back.
public final class TaskChannel: UplinkTransport {
    private struct State {
        var sender: AsyncStream<String>.Continuation?
        var channels: [String: AsyncThrowingStream<String, any Error>.Continuation] = [:]
        var next = 0
        var connected = false
    }

    private let bundle: InstallBundle
    private let address: String
    private let logger: Logger
    private let state = Mutex(State())
    /// Secrets that authenticate the connection when the install bundle's token no longer does (it was
    /// rotated): the credentials of defenders this sidecar relays.
    private let fallbackSecrets: @Sendable () -> [String]
    private let reconnectDelay: Duration
    private let maxReconnectDelay: Duration

    public init(
        bundle: InstallBundle,
        consoleAddress: String? = nil,
        logger: Logger,
        reconnectDelay: Duration = .milliseconds(200),
        maxReconnectDelay: Duration = .seconds(30),
        fallbackSecrets: @escaping @Sendable () -> [String] = { [] }
    ) {
        self.bundle = bundle
        self.address = consoleAddress ?? bundle.consoleAddress
        self.logger = logger
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.fallbackSecrets = fallbackSecrets
    }

    /// Whether the connection is up now.
    public var isConnected: Bool { state.withLock { $0.connected } }

    /// How many conversations are open now.
    public var openConversations: Int { state.withLock { $0.channels.count } }

    /// Connects, and connects again after each loss, until the task is cancelled.
    public func run() async {
        var delay = reconnectDelay
        var attempt = 0
        while !Task.isCancelled {
            let started = ContinuousClock.now
            let secrets = [bundle.token] + fallbackSecrets()
            do {
                try await connection(secret: secrets[attempt % secrets.count])
            } catch is CancellationError {
                break
            } catch {
                logger.debug("task_channel.ended", metadata: ["error": "\(error)"])
            }
            drop()
            attempt += 1
            if ContinuousClock.now - started > .seconds(30) { delay = reconnectDelay }
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
            delay = min(delay * 2, maxReconnectDelay)
        }
        drop()
    }

    public func open(secret: String) async throws -> UplinkConversation {
        // The connection may be on its way: wait a little for it rather than fail the uplink's attempt.
        let deadline = ContinuousClock.now + .seconds(5)
        while !isConnected {
            guard ContinuousClock.now < deadline else { throw ChannelProtocolError("the task channel is not connected") }
            try await Task.sleep(for: .milliseconds(50))
        }
        let (messages, continuation) = AsyncThrowingStream<String, any Error>.makeStream()
        let opened: (String, AsyncStream<String>.Continuation)? = state.withLock { s in
            guard s.connected, let sender = s.sender else { return nil }
            s.next += 1
            let id = String(s.next, radix: 36)
            s.channels[id] = continuation
            return (id, sender)
        }
        guard let (id, sender) = opened else { throw ChannelProtocolError("the task channel is not connected") }
        sender.yield(id + "\nopen " + secret)
        return UplinkConversation(
            messages: messages,
            write: { text in
                guard case .enqueued = sender.yield(id + "\n" + text) else { throw ChannelProtocolError("the task channel closed") }
            },
            close: { [weak self] in
                guard let self, self.state.withLock({ $0.channels.removeValue(forKey: id) }) != nil else { return }
                sender.yield(id + "\nclose")
            }
        )
    }

    private func connection(secret: String) async throws {
        var configuration = WebSocketClientConfiguration()
        configuration.maxFrameSize = (1 << 22) + 256
        configuration.closeTimeout = .milliseconds(500)
        configuration.additionalHeaders = [.authorization: "Bearer \(secret)"]
        var base = address
        if base.hasSuffix("/channel") { base.removeLast("/channel".count) }
        var tls: TLSConfiguration?
        if base.hasPrefix("wss://") {
            var t = TLSConfiguration.makeClientConfiguration()
            t.minimumTLSVersion = .tlsv12
            t.shutdownTimeout = .milliseconds(500)
            if !bundle.caCertificatePEM.isEmpty {
                t.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(bundle.caCertificatePEM.utf8)))
            }
            if Uplink.hostIsIPAddress(base) {
                // As the uplink does: no IP address in SNI, the certificate checked against the console's own CA.
                configuration.sniHostname = "scute-console"
                t.certificateVerification = .noHostnameVerification
            }
            tls = t
        }
        try await WebSocketClient.connect(url: base + "/channel/task", configuration: configuration, tlsConfiguration: tls, logger: logger) {
            inbound,
            outbound,
            _ in
            let (sends, sender) = AsyncStream<String>.makeStream()
            self.state.withLock {
                $0.sender = sender
                $0.connected = true
            }
            self.logger.info("task_channel.connected")
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await text in sends { try await outbound.write(.text(text)) }
                }
                group.addTask {
                    for try await frame in inbound.messages(maxSize: (1 << 22) + 256) {
                        guard case .text(let text) = frame, let newline = text.utf8.firstIndex(of: 0x0A) else { continue }
                        let id = String(text[..<newline])
                        let body = text[text.index(after: newline)...]
                        if body == "close" {
                            self.state.withLock { $0.channels.removeValue(forKey: id) }?.finish()
                        } else if let channel = self.state.withLock({ $0.channels[id] }) {
                            channel.yield(String(body))
                        }
                    }
                    throw ChannelProtocolError("the console closed the task channel")
                }
                _ = try await group.next()
                group.cancelAll()
            }
        }
    }

    /// The credentials kept in the data folders below `folder` (one per relayed defender): what authenticates
    /// the connection after the install bundle's token was rotated out.
    public static func credentials(under folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().compactMap { CredentialFile(dataFolder: folder + "/" + $0).load() }
    }

    /// Ends every conversation: their uplinks open new ones when the connection is back.
    private func drop() {
        let (channels, sender) = state.withLock { s in
            defer {
                s.channels.removeAll()
                s.sender = nil
                s.connected = false
            }
            return (Array(s.channels.values), s.sender)
        }
        sender?.finish()
        for channel in channels { channel.finish(throwing: ChannelProtocolError("the task channel closed")) }
    }
}
