import NIOCore
import NIOHTTP1
import ScuteWAAS

/// The client side of the proxy: buffers and inspects each request, answers blocked ones itself and forwards
/// the others to the app over a pooled connection, streaming bodies past the inspection limit.
final class ProxyServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let shared: ProxyShared
    var pool: UpstreamPool?
    var context: ChannelHandlerContext?
    var peerIP = "unknown"
    var exchange: Exchange?
    var heldRead = false
    var upstreamNeedsFlush = false
    /// Parts of pipelined requests that arrived while an exchange was in flight, handled in order after it.
    var backlog = CircularBuffer<HTTPServerRequestPart>()
    /// A graceful shutdown asked this connection to close after the exchange in flight.
    var quiescing = false

    init(shared: ProxyShared) {
        self.shared = shared
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        pool = shared.pools.pool(for: context.eventLoop)
        peerIP = context.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if !backlog.isEmpty || exchange?.requestEnded == true {
            // Pipelined: reading stops (see `read`) until the exchange in flight is answered.
            backlog.append(part)
            return
        }
        process(part, context: context)
    }

    private func process(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head):
            receiveHead(head, context: context)
        case .body(let part):
            receiveBody(part)
        case .end(let trailers):
            receiveEnd(trailers)
        }
    }

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        context.triggerUserOutboundEvent(RequestPhase.headReceived, promise: nil)
        guard exchange == nil else { return }
        let exchange = Exchange(head: head, clientIP: clientIP(for: head), isUpgrade: HeaderRewrite.isUpgrade(head))
        self.exchange = exchange
        if shared.bans.isBanned(exchange.clientIP, now: .now()) {
            answerBlocked(exchange, eventID: EventStamp.newEventID())
            return
        }
        if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
    }

    private func receiveBody(_ part: ByteBuffer) {
        guard let exchange else { return }
        switch exchange.phase {
        case .collecting:
            exchange.append(part)
            if exchange.bodyCount > shared.policy.bodyInspectionLimit {
                exchange.streaming = true
                decide(exchange)
            }
        case .connecting:
            exchange.pending.append(.body(.byteBuffer(part)))
        case .forwarding:
            exchange.upstream?.handler.send(.body(.byteBuffer(part)))
            upstreamNeedsFlush = true
        case .answered, .done:
            break
        }
    }

    private func receiveEnd(_ trailers: HTTPHeaders?) {
        guard let exchange else { return }
        exchange.requestEnded = true
        switch exchange.phase {
        case .collecting:
            decide(exchange)
        case .connecting:
            exchange.pending.append(.end(trailers))
        case .forwarding:
            exchange.upstream?.handler.send(.end(trailers))
            exchange.upstream?.handler.flush()
            upstreamNeedsFlush = false
        case .answered, .done:
            if exchange.responseEnded {
                finishExchange()
                drainBacklog()
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            exchange?.upstream?.handler.flush()
        }
        context.fireChannelReadComplete()
    }

    /// Inspects the request (or its first `bodyInspectionLimit` bytes) and forwards or answers it.
    private func decide(_ exchange: Exchange) {
        let head = exchange.head
        let limit = shared.policy.bodyInspectionLimit
        var bodyBytes: [UInt8] = []
        if let body = exchange.body {
            bodyBytes = body.getBytes(at: body.readerIndex, length: min(body.readableBytes, limit)) ?? []
        }
        let request = HTTPRequest(
            method: head.method.rawValue,
            target: head.uri,
            version: "HTTP/\(head.version.major).\(head.version.minor)",
            headers: head.headers.map { HTTPHeader(name: $0.name, value: $0.value) },
            body: bodyBytes,
            bodyTruncated: exchange.streaming
        )
        switch shared.judge(request, clientIP: exchange.clientIP, host: head.headers.first(name: "host") ?? "") {
        case .allow:
            startForwarding(exchange)
        case .block(let eventID):
            answerBlocked(exchange, eventID: eventID)
        }
    }

    private func clientIP(for head: HTTPRequestHead) -> String {
        guard shared.policy.clientAddress == .forwardedFor else { return peerIP }
        let values = head.headers["x-forwarded-for"]
        guard let last = values.last?.split(separator: ",").last else { return peerIP }
        let trimmed = last.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()
        return trimmed.isEmpty ? peerIP : String(trimmed)
    }

    /// Ends the current exchange once both its request and its response are complete.
    func finishExchange() {
        exchange = nil
        context?.triggerUserOutboundEvent(RequestPhase.awaitingHead, promise: nil)
    }

    /// Handles pipelined parts after an exchange ended (call once its response end was written), then reads again.
    func drainBacklog() {
        guard let context else { return }
        if quiescing && exchange == nil {
            context.close(promise: nil)
            return
        }
        while !backlog.isEmpty && exchange?.requestEnded != true && context.channel.isActive {
            process(backlog.removeFirst(), context: context)
        }
        if backlog.isEmpty { resumeClientReads() }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let exchange {
            if let upstream = exchange.upstream {
                upstream.handler.delegate = nil
                upstream.channel.close(promise: nil)
            }
            self.exchange = nil
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // Decoder errors were answered with 400 by HTTPServerProtocolErrorHandler; the connection is done.
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            // Idle while the proxy waits for the client (a head or body bytes), not while the app works.
            if let exchange, exchange.requestEnded || exchange.phase == .answered { return }
            context.close(promise: nil)
            return
        }
        if event is ChannelShouldQuiesceEvent {
            quiescing = true
            if exchange == nil && backlog.isEmpty { context.close(promise: nil) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { exchange?.upstream?.handler.resumeReading() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if !backlog.isEmpty {
            heldRead = true
            return
        }
        if let exchange, exchange.streaming, !exchange.requestEnded {
            let upstreamWritable = exchange.upstream?.channel.isWritable ?? false
            if exchange.phase == .connecting || (exchange.phase == .forwarding && !upstreamWritable) {
                heldRead = true
                return
            }
        }
        context.read()
    }

    /// Reads again after a hold (the app connection became ready or writable).
    func resumeClientReads() {
        guard heldRead, let context else { return }
        heldRead = false
        context.read()
    }
}
