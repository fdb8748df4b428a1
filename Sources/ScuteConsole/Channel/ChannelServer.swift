import HTTPTypes
import Hummingbird
import HummingbirdWebSocket
import Logging
import NIOWebSocket
import Prometheus
import ScuteCore
import ScuteStore
import ScuteUplink

/// The defender channel: `GET /channel` upgraded to a WebSocket, authenticated in `Authorization: Bearer`
/// by the install bundle's token (to enroll) or the defender's own credential (see ``ChannelCredential``).
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
                let token = String(header.dropFirst(7))
                // A defender's own credential is checked against its record once its hello says who it is.
                if ChannelCredential.defenderCredential(token) != nil { return .upgrade([:]) }
                guard let claims = await core.signer.verify(token), claims.kind == .defender else {
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
                let token = context.request.headers[.authorization].map { String($0.dropFirst(7)) } ?? ""
                await handle(inbound: inbound, outbound: outbound, presenting: ChannelCredential(bearer: token), logger: context.logger)
            }
        )
        routeTaskChannel(router)
        return router
    }

    private func handle(
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        presenting credential: ChannelCredential,
        logger: Logger
    ) async {
        // Reports (up to 8 MiB) are the only messages larger than maxBodyBytes a defender may send.
        var messages = inbound.messages(maxSize: max(core.configuration.maxBodyBytes, ChannelMessage.maxReportBytes)).makeAsyncIterator()
        let writer = ChannelWriter(
            write: { text in try await outbound.write(.text(text)) },
            close: { code, reason in try? await outbound.close(code, reason: reason) }
        )
        await converse(&messages, writer: writer, presenting: credential, logger: logger)
    }

    /// One defender's conversation, on a WebSocket of its own or on a virtual channel of a task channel: its
    /// hello (within the hello timeout), admission, then its messages until it ends.
    func converse<Messages: AsyncIteratorProtocol>(
        _ messages: inout Messages,
        writer outbound: ChannelWriter,
        presenting credential: ChannelCredential,
        logger: Logger
    ) async where Messages.Element == WebSocketMessage {
        let hello: DefenderHello
        do {
            hello = try await withHelloDeadline(outbound: outbound) { () async throws -> DefenderHello? in
                guard case .text(let text)? = try await messages.next() else { return nil }
                let message = try ChannelMessage.parse(text).get()
                guard message.type == .hello else { throw ChannelProtocolError("the first message must be hello") }
                let hello = try DefenderHello(payload: message.payload)
                guard Identifiers.isValid(hello.defenderID) else {
                    throw ChannelProtocolError("hello.defenderID: \(Identifiers.rule)")
                }
                return hello
            }
        } catch let error as ChannelProtocolError {
            try? await outbound.write(Self.error(error.message, fatal: true).text)
            await outbound.close(.protocolError, "hello expected")
            return
        } catch {
            return
        }
        var logger = logger
        logger[metadataKey: "defender.id"] = .string(LogText.safe(hello.defenderID))
        logger[metadataKey: "defender.app"] = .string(LogText.safe(hello.appID))
        let issued: String?
        do {
            switch try await admit(hello, presenting: credential) {
            case .admitted(let credential):
                issued = credential
            case .refused(let reason, let code):
                logger.notice("channel.refused", metadata: ["code": "\(code)"])
                try? await outbound.write(Self.error(reason, fatal: true, code: code).text)
                await outbound.close(.policyViolation, code)
                return
            }
        } catch {
            logger.warning("channel.hello.store_failed")
            try? await outbound.write(Self.error("the console store is unavailable; reconnect later", fatal: true).text)
            await outbound.close(.unexpectedServerError, "store unavailable")
            return
        }
        logger.info("channel.connected")

        let (stream, continuation) = AsyncStream<ChannelMessage>.makeStream()
        // What the defender must keep to: its heartbeat, and how large an audits message may be.
        let settings = JSONObject([
            "heartbeatSeconds": .int(core.configuration.heartbeatSeconds),
            "maxMessageBytes": .int(core.configuration.maxBodyBytes),
            "maxEventsPerBatch": .int(Self.maxEventsPerBatch),
        ])
        let (link, welcome) = await core.hub.register(hello, continuation: continuation, settings: settings, credential: issued)
        // An enrollment stays pending until the defender says it kept its credential (see `admit`).
        var pending: (stored: String, confirmed: String)?
        if let issued, case .defender(_, let secret) = ChannelCredential(bearer: issued) {
            let hash = Secrets.sha256Hex(secret)
            pending = (DefenderRecord.pendingCredentialPrefix + hash, hash)
            logger.info("channel.enrolled")
        }
        continuation.yield(welcome)

        await withTaskGroup(of: Void.self) { group in
            // Writer: everything this link sends goes through one stream, in order.
            group.addTask {
                for await message in stream {
                    do {
                        try await outbound.write(message.text)
                    } catch {
                        break
                    }
                    if message.type == .error, message.payload["fatal"] == .bool(true) {
                        await outbound.close(.policyViolation, message.payload["message"]?.stringValue)
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
                    case .success(let message) where message.type != .report && text.utf8.count > core.configuration.maxBodyBytes:
                        await core.hub.send(Self.error("message: larger than \(core.configuration.maxBodyBytes) bytes"), to: link)
                    case .success(let message):
                        if let p = pending, message.type == .heartbeat, message.payload["credentialKept"] == .bool(true) {
                            if (try? await core.store.swapDefenderCredential(id: hello.defenderID, expected: p.stored, new: p.confirmed)) != nil {
                                pending = nil
                            }
                        }
                        await receive(message, from: hello, link: link, logger: logger)
                    }
                }
            } catch {
                logger.debug("channel.read.ended", metadata: ["error": "\(error)"])
            }
            if let p = pending {
                // The defender never said it kept the credential: it may not have it. Let it enroll again.
                _ = try? await core.store.swapDefenderCredential(id: hello.defenderID, expected: p.stored, new: "")
                logger.notice("channel.enrollment.rolled_back")
            }
            await core.hub.unregister(link)
            await group.waitForAll()
        }
        // Unless the defender is back on a new channel already (which replaced this one).
        if await !core.hub.isConnected(hello.defenderID) {
            try? await core.store.defenderDisconnected(id: hello.defenderID, at: WallClock.milliseconds())
        }
        logger.info("channel.disconnected")
    }

    /// Runs `readHello`; when it has not returned within the hello timeout, says so and closes the channel
    /// (which ends the read). Throws `CancellationError` when the channel closed before a hello.
    private func withHelloDeadline(
        outbound: ChannelWriter,
        _ readHello: () async throws -> DefenderHello?
    ) async throws -> DefenderHello {
        let timeout = Duration.seconds(core.configuration.helloTimeoutSeconds)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await Task.sleep(for: timeout)
                try? await outbound.write(Self.error("no hello within \(timeout)", fatal: true).text)
                await outbound.close(.policyViolation, "no hello")
            }
            defer { group.cancelAll() }
            guard let hello = try await readHello() else { throw CancellationError() }
            return hello
        }
    }

    private func receive(_ message: ChannelMessage, from hello: DefenderHello, link: UInt64, logger: Logger) async {
        switch message.type {
        case .heartbeat:
            await core.hub.markSeen(hello.defenderID)
            await core.hub.send(ChannelMessage(type: .heartbeat, id: message.id), to: link)
        case .audits:
            await core.hub.markSeen(hello.defenderID)
            await ingest(message, from: hello, link: link, logger: logger)
        case .report:
            // Stored, or refused for good (the defender must not send it again): acknowledged with the report's
            // id, and the refusal says why. Not stored (store failure): no ack, so the defender sends it again.
            await core.hub.markSeen(hello.defenderID)
            do {
                var ack = ChannelMessage(type: .ack, id: message.id)
                if let reason = try await ConsoleReports(store: core.store).ingest(message.payload, from: hello) {
                    logger.notice("channel.report.refused", metadata: ["reason": "\(LogText.safe(reason))"])
                    await core.hub.send(Self.error(reason), to: link)
                    ack.payload["refused"] = .string(reason)
                }
                await core.hub.send(ack, to: link)
            } catch {
                logger.warning("channel.report.store_failed", metadata: ["error": "\(error)"])
            }
        default:
            await core.hub.send(Self.error("message.type: \(message.type.rawValue) is not expected from a defender"), to: link)
        }
    }

    /// Stores a batch, then acknowledges it: an ack means the audits are durable (write before ack). A batch
    /// that can never be stored (not a list, too many events, every event out of bounds) is acknowledged too,
    /// with what was refused, so the defender drops it instead of sending it again forever; only a store
    /// failure asks for the batch again.
    private func ingest(_ message: ChannelMessage, from hello: DefenderHello, link: UInt64, logger: Logger) async {
        core.metrics.auditBatchesInFlight.increment()
        defer { core.metrics.auditBatchesInFlight.decrement() }
        guard let events = message.payload["events"]?.arrayValue else {
            await refuse(message, "audits.payload.events: expected an array", link: link, logger: logger)
            return
        }
        guard events.count <= Self.maxEventsPerBatch else {
            await refuse(message, "audits.payload.events: more than \(Self.maxEventsPerBatch) events", link: link, logger: logger)
            return
        }
        var audits: [StoredAudit] = []
        audits.reserveCapacity(events.count)
        var rejected = 0
        var firstReason: String?
        let now = WallClock.nanoseconds()
        for event in events {
            let audit = StoredAudit.from(
                json: event,
                defenderID: hello.defenderID,
                appID: hello.appID,
                container: hello.container,
                taskFamily: hello.taskFamily,
                taskARN: hello.taskARN,
                now: now
            )
            switch audit {
            case .success(let audit):
                audits.append(audit)
            case .failure(let error):
                rejected += 1
                if firstReason == nil { firstReason = error.message }
            }
        }
        if let firstReason {
            logger.notice("channel.audits.rejected", metadata: ["count": "\(rejected)", "reason": "\(LogText.safe(firstReason))"])
        }
        do {
            let inserted = try await core.store.insertAudits(audits)
            core.metrics.auditsIngested.increment(by: Int64(inserted))
            core.metrics.auditDuplicates.increment(by: Int64(audits.count - inserted))
            var payload = JSONObject(["accepted": .int(inserted), "duplicates": .int(audits.count - inserted), "rejected": .int(rejected)])
            if let firstReason { payload["reason"] = .string(firstReason) }
            await core.hub.send(ChannelMessage(type: .ack, id: message.id, payload: payload), to: link)
        } catch {
            logger.warning("channel.audits.store_failed", metadata: ["batch": "\(LogText.safe(message.id))"])
            await core.hub.send(Self.error("audits \(message.id) were not stored; send them again", retry: message.id), to: link)
        }
    }

    /// Acknowledges a batch that will never be stored, saying why.
    private func refuse(_ message: ChannelMessage, _ reason: String, link: UInt64, logger: Logger) async {
        logger.notice("channel.audits.refused", metadata: ["reason": "\(reason)"])
        let count = message.payload["events"]?.arrayValue?.count ?? 0
        let payload = JSONObject(["accepted": 0, "duplicates": 0, "rejected": .int(count), "refused": .string(reason)])
        await core.hub.send(ChannelMessage(type: .ack, id: message.id, payload: payload), to: link)
    }

    /// An `error` message; `code` says why a fatal one refused the defender (`revoked`, `credential`, ...).
    static func error(_ text: String, fatal: Bool = false, retry: String? = nil, code: String? = nil) -> ChannelMessage {
        var payload = JSONObject(["message": .string(text)])
        if fatal { payload["fatal"] = true }
        if let code { payload["code"] = .string(code) }
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
