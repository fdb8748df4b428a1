import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import ScuteCore
import ScuteStore
import Synchronization

/// The task channel: one WebSocket per task (its sidecar), carrying the conversations of every defender in
/// the task as virtual channels. Each text frame is `CHANNEL\nBODY`; the body `open SECRET` opens
/// channel CHANNEL presenting the defender's credential or the install bundle's token (as `Authorization`
/// does on a channel of its own), `close` ends it (from either side), anything else is one channel message.
/// A virtual channel is admitted, enrolled, revoked and listed exactly as a defender's own channel is.
extension ChannelServer {
    static let taskPath = "/channel/task"
    /// A Fargate task holds at most 10 containers; room for relaunches that overlap.
    static let maxVirtualChannels = 32

    func routeTaskChannel(_ router: Router<BasicWebSocketRequestContext>) {
        router.ws(
            RouterPath(Self.taskPath),
            shouldUpgrade: { request, _ in
                guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
                do {
                    guard try await isValidSecret(String(header.dropFirst(7)), checkCredential: true) else { throw APIError.unauthorized }
                } catch let error as StoreError {
                    throw APIError(error)
                }
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                await handleTask(inbound: inbound, outbound: outbound, logger: context.logger)
            }
        )
    }

    /// Whether `secret` may open a channel: an install bundle's token of the current generation, or (when
    /// `checkCredential`) a defender's own credential the store knows; a credential is otherwise checked
    /// against the defender's record once its hello names it.
    func isValidSecret(_ secret: String, checkCredential: Bool) async throws(StoreError) -> Bool {
        if let (id, key) = ChannelCredential.defenderCredential(secret) {
            guard checkCredential else { return true }
            guard let record = try await core.store.defender(id: id), record.isEnrolled, !record.revoked else { return false }
            return Secrets.constantTimeEqual(Secrets.sha256Hex(key), record.confirmedCredentialHash)
        }
        guard let claims = await core.signer.verify(secret), claims.kind == .defender else { return false }
        return claims.generation == (try await core.defenderTokenGeneration())
    }

    private func handleTask(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        let (sends, sender) = AsyncStream<String>.makeStream()
        let channels = VirtualChannels()
        let limit = max(core.configuration.maxBodyBytes, ChannelMessage.maxReportBytes) + 256
        logger.info("channel.task.connected")
        await withTaskGroup(of: Void.self) { outer in
            outer.addTask {
                // Writer: every virtual channel's messages, in the order they were sent.
                for await text in sends {
                    do {
                        try await outbound.write(.text(text))
                    } catch {
                        break
                    }
                }
            }
            await withTaskGroup(of: Void.self) { group in
                do {
                    for try await frame in inbound.messages(maxSize: limit) {
                        guard case .text(let text) = frame, let newline = text.utf8.firstIndex(of: 0x0A) else { continue }
                        let id = String(text[..<newline])
                        guard Self.isVirtualChannelID(id) else { continue }
                        let body = text[text.index(after: newline)...]
                        if body.hasPrefix("open ") {
                            guard let messages = channels.open(id, limit: Self.maxVirtualChannels) else {
                                sender.yield(id + "\n" + Self.error("no more channels on this task channel", fatal: true).text)
                                sender.yield(id + "\nclose")
                                continue
                            }
                            let secret = String(body.dropFirst(5))
                            group.addTask {
                                await self.serveVirtual(id, secret: secret, messages: messages, sender: sender, logger: logger)
                                channels.end(id)
                            }
                        } else if body == "close" {
                            channels.end(id)
                        } else {
                            channels.deliver(id, String(body))
                        }
                    }
                } catch {
                    logger.debug("channel.task.read.ended", metadata: ["error": "\(error)"])
                }
                // The connection is gone: every conversation on it ends, then the writer.
                channels.endAll()
            }
            sender.finish()
        }
        logger.info("channel.task.disconnected")
    }

    private func serveVirtual(
        _ id: String,
        secret: String,
        messages: AsyncStream<WebSocketMessage>,
        sender: AsyncStream<String>.Continuation,
        logger: Logger
    ) async {
        let writer = ChannelWriter(
            write: { text in
                guard case .enqueued = sender.yield(id + "\n" + text) else { throw CancellationError() }
            },
            close: { _, _ in sender.yield(id + "\nclose") }
        )
        // An install bundle's token is checked here, as the upgrade checks it on a channel of its own.
        guard (try? await isValidSecret(secret, checkCredential: false)) == true else {
            try? await writer.write(Self.error("this defender token is not valid (rotated out?)", fatal: true, code: "credential").text)
            await writer.close(.policyViolation, "unauthorized")
            return
        }
        var iterator = messages.makeAsyncIterator()
        await converse(&iterator, writer: writer, presenting: ChannelCredential(bearer: secret), logger: logger)
        sender.yield(id + "\nclose")
    }

    /// Channel ids: short, and only characters that cannot be confused with the separator.
    static func isVirtualChannelID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 32 && id.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D }
    }
}

/// The open virtual channels of one task channel: where each one's messages go.
final class VirtualChannels: Sendable {
    private let channels = Mutex<[String: AsyncStream<WebSocketMessage>.Continuation]>([:])

    /// Opens channel `id`; nil when it is open already or `limit` channels are.
    func open(_ id: String, limit: Int) -> AsyncStream<WebSocketMessage>? {
        channels.withLock { open in
            guard open[id] == nil, open.count < limit else { return nil }
            let (stream, continuation) = AsyncStream<WebSocketMessage>.makeStream()
            open[id] = continuation
            return stream
        }
    }

    /// A message for channel `id` (dropped when it is not open).
    func deliver(_ id: String, _ text: String) {
        _ = channels.withLock { $0[id] }?.yield(.text(text))
    }

    func end(_ id: String) {
        channels.withLock { $0.removeValue(forKey: id) }?.finish()
    }

    func endAll() {
        let open = channels.withLock { open in
            defer { open.removeAll() }
            return Array(open.values)
        }
        for continuation in open { continuation.finish() }
    }
}
