import NIOCore

/// Sent by the proxy handler toward the front of the pipeline to tell the guard where the connection is.
enum RequestPhase {
    /// A request head was decoded: the header deadline and byte count stop.
    case headReceived
    /// The last response was sent: the next request's head is awaited.
    case awaitingHead
}

/// First in the client pipeline: a request head must be complete within `headerTimeout` of its first byte and
/// within `maxBytes` (slowloris and huge request lines); otherwise 408 or 431 and the connection closes.
final class SlowClientGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let headerTimeout: TimeAmount
    private let maxBytes: Int
    private var waitingHead = true
    private var headSeenDuringRead = false
    private var bytesSinceHead = 0
    /// When the first byte of the awaited head arrived.
    private var headStart: NIODeadline?
    /// One timer per connection at most, re-armed only while a head is awaited (not once per request).
    private var timer: Scheduled<Void>?
    private var rejected = false

    init(headerTimeout: TimeAmount, maxBytes: Int) {
        self.headerTimeout = headerTimeout
        self.maxBytes = maxBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        let count = unwrapInboundIn(data).readableBytes
        if waitingHead && headStart == nil {
            headStart = .now()
            if timer == nil { arm(context: context, in: headerTimeout) }
        }
        headSeenDuringRead = false
        context.fireChannelRead(data)
        if waitingHead && !headSeenDuringRead {
            bytesSinceHead += count
            if bytesSinceHead > maxBytes { reject(context: context, status: "431 Request Header Fields Too Large") }
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let phase = event as? RequestPhase else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        switch phase {
        case .headReceived:
            waitingHead = false
            headSeenDuringRead = true
            bytesSinceHead = 0
            headStart = nil
        case .awaitingHead:
            waitingHead = true
            bytesSinceHead = 0
        }
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    private func arm(context: ChannelHandlerContext, in delay: TimeAmount) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            handler.timerFired(context: context)
        }
    }

    private func timerFired(context: ChannelHandlerContext) {
        timer = nil
        guard waitingHead, let headStart else { return }
        let elapsed = NIODeadline.now() - headStart
        if elapsed >= headerTimeout {
            reject(context: context, status: "408 Request Timeout")
        } else {
            arm(context: context, in: headerTimeout - elapsed)
        }
    }

    private func reject(context: ChannelHandlerContext, status: String) {
        guard !rejected else { return }
        rejected = true
        timer?.cancel()
        timer = nil
        var buffer = context.channel.allocator.buffer(capacity: 96)
        buffer.writeString("HTTP/1.1 \(status)\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
