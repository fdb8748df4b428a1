import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import Prometheus
import ScuteCore
import ScuteStore
import ScuteUplink

/// The defender channel: `GET /channel` upgraded to a WebSocket, authenticated by the install bundle's
/// defender token in `Authorization: Bearer`.
struct ChannelServer: Sendable {
    let core: ConsoleCore

    static let path = "/channel"
    static let maxEventsPerBatch = 10_000

    func router() -> Router<BasicWebSocketRequestContext> {
        let router = Router(context: BasicWebSocketRequestContext.self)
        router.get("/health") { _, _ in Response.json(["status": "ok"]) }
        router.ws(
            RouterPath(Self.path),
            shouldUpgrade: { request, _ in
                guard let header = request.headers[.authorization], header.hasPrefix("Bearer ") else { throw APIError.unauthorized }
                guard let claims = await core.signer.verify(String(header.dropFirst(7))), claims.kind == .defender else {
                    throw APIError.unauthorized
                }
                let generation: Int64
                do {
                    generation = try await core.defenderTokenGeneration()
                } catch let error as StoreError {
                    throw APIError(error)
                }
                guard claims.generation == generation else { throw APIError(.unauthorized, "this defender token was rotated out") }
                return .upgrade([:])
            },
            onUpgrade: { inbound, outbound, context in
                await handle(inbound: inbound, outbound: outbound, logger: context.logger)
            }
        )
        return router
    }

    private func handle(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        var messages = inbound.messages(maxSize: core.configuration.maxBodyBytes).makeAsyncIterator()
        // The first message must be `hello`.
        let hello: DefenderHello
        do {
            guard case .text(let text)? = try await messages.next() else { return }
            let message = try ChannelMessage.parse(text).get()
            guard message.type == .hello else { throw ChannelProtocolError("the first message must be hello") }
            hello = try DefenderHello(payload: message.payload)
        } catch let error as ChannelProtocolError {
            try? await outbound.write(.text(Self.error(error.message, fatal: true).text))
            try? await outbound.close(.protocolError, reason: "hello expected")
            return
        } catch {
            return
        }
        var logger = logger
        logger[metadataKey: "defender.id"] = .string(hello.defenderID)
        logger[metadataKey: "defender.app"] = .string(hello.appID)
        let now = WallClock.milliseconds()
        do {
            if try await core.store.defender(id: hello.defenderID)?.revoked == true {
                try? await outbound.write(.text(Self.error("this defender was revoked", fatal: true).text))
                try? await outbound.close(.policyViolation, reason: "revoked")
                return
            }
            try await core.store.defenderConnected(Self.record(hello), at: now)
        } catch {
            logger.warning("channel.hello.store_failed")
            try? await outbound.write(.text(Self.error("the console store is unavailable; reconnect later", fatal: true).text))
            try? await outbound.close(.unexpectedServerError, reason: "store unavailable")
            return
        }
        logger.info("channel.connected")

        let (stream, continuation) = AsyncStream<ChannelMessage>.makeStream()
        let settings = JSONObject(["heartbeatSeconds": .int(core.configuration.heartbeatSeconds)])
        let (link, welcome) = await core.hub.register(hello, continuation: continuation, settings: settings)
        continuation.yield(welcome)

        await withTaskGroup(of: Void.self) { group in
            // Writer: everything this link sends goes through one stream, in order.
            group.addTask {
                for await message in stream {
                    do {
                        try await outbound.write(.text(message.text))
                    } catch {
                        break
                    }
                    if message.type == .error, message.payload["fatal"] == .bool(true) {
                        try? await outbound.close(.policyViolation, reason: message.payload["message"]?.stringValue)
                        break
                    }
                }
            }
            do {
                while let frame = try await messages.next() {
                    guard case .text(let text) = frame else {
                        await core.hub.send(Self.error("binary frames are not part of the protocol"), to: link)
                        continue
                    }
                    switch ChannelMessage.parse(text) {
                    case .failure(let error):
                        await core.hub.send(Self.error(error.message), to: link)
                    case .success(let message):
                        await receive(message, from: hello, link: link, logger: logger)
                    }
                }
            } catch {
                logger.debug("channel.read.ended", metadata: ["error": "\(error)"])
            }
            await core.hub.unregister(link)
            await group.waitForAll()
        }
        try? await core.store.defenderDisconnected(id: hello.defenderID, at: WallClock.milliseconds())
        logger.info("channel.disconnected")
    }

    private func receive(_ message: ChannelMessage, from hello: DefenderHello, link: UInt64, logger: Logger) async {
        switch message.type {
        case .heartbeat:
            await core.hub.markSeen(hello.defenderID)
            await core.hub.send(ChannelMessage(type: .heartbeat, id: message.id), to: link)
        case .audits:
            await core.hub.markSeen(hello.defenderID)
            await ingest(message, from: hello, link: link, logger: logger)
        default:
            await core.hub.send(Self.error("message.type: \(message.type.rawValue) is not expected from a defender"), to: link)
        }
    }

    /// Stores a batch, then acknowledges it: an ack means the audits are durable (write before ack).
    private func ingest(_ message: ChannelMessage, from hello: DefenderHello, link: UInt64, logger: Logger) async {
        core.metrics.auditBatchesInFlight.increment()
        defer { core.metrics.auditBatchesInFlight.decrement() }
        guard let events = message.payload["events"]?.arrayValue else {
            await core.hub.send(Self.error("audits.payload.events: expected an array"), to: link)
            return
        }
        guard events.count <= Self.maxEventsPerBatch else {
            await core.hub.send(Self.error("audits.payload.events: more than \(Self.maxEventsPerBatch) events"), to: link)
            return
        }
        var audits: [StoredAudit] = []
        audits.reserveCapacity(events.count)
        var rejected = 0
        for event in events {
            switch StoredAudit.from(json: event, defenderID: hello.defenderID) {
            case .success(var audit):
                if audit.appID.isEmpty { audit.appID = hello.appID }
                if audit.container.isEmpty { audit.container = hello.container }
                audits.append(audit)
            case .failure:
                rejected += 1
            }
        }
        do {
            let inserted = try await core.store.insertAudits(audits)
            core.metrics.auditsIngested.increment(by: Int64(inserted))
            core.metrics.auditDuplicates.increment(by: Int64(audits.count - inserted))
            await core.hub.send(
                ChannelMessage(
                    type: .ack,
                    id: message.id,
                    payload: JSONObject(["accepted": .int(inserted), "duplicates": .int(audits.count - inserted), "rejected": .int(rejected)])
                ),
                to: link
            )
        } catch {
            logger.warning("channel.audits.store_failed", metadata: ["batch": "\(message.id)"])
            await core.hub.send(Self.error("audits \(message.id) were not stored; send them again", retry: message.id), to: link)
        }
    }

    static func error(_ text: String, fatal: Bool = false, retry: String? = nil) -> ChannelMessage {
        var payload = JSONObject(["message": .string(text)])
        if fatal { payload["fatal"] = true }
        if let retry { payload["retry"] = .string(retry) }
        return ChannelMessage(type: .error, payload: payload)
    }

    static func record(_ hello: DefenderHello) -> DefenderRecord {
        DefenderRecord(
            id: hello.defenderID,
            appID: hello.appID,
            taskFamily: hello.taskFamily,
            taskARN: hello.taskARN,
            container: hello.container,
            image: hello.image,
            version: hello.version
        )
    }
}
