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
    private var deadline: Scheduled<Void>?
    private var rejected = false

    init(headerTimeout: TimeAmount, maxBytes: Int) {
        self.headerTimeout = headerTimeout
        self.maxBytes = maxBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !rejected else { return }
        let count = unwrapInboundIn(data).readableBytes
        if waitingHead && deadline == nil {
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: headerTimeout) {
                let (handler, context) = loopBound.value
                handler.reject(context: context, status: "408 Request Timeout")
            }
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
            deadline?.cancel()
            deadline = nil
        case .awaitingHead:
            waitingHead = true
            bytesSinceHead = 0
        }
        promise?.succeed()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    private func reject(context: ChannelHandlerContext, status: String) {
        guard !rejected else { return }
        rejected = true
        deadline?.cancel()
        deadline = nil
        var buffer = context.channel.allocator.buffer(capacity: 96)
        buffer.writeString("HTTP/1.1 \(status)\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
