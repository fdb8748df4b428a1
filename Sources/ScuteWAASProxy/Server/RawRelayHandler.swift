import NIOCore

/// After a 101, each side's bytes go to the other as they are; reads stop while the other side cannot take more.
final class RawRelayHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var partner: RawRelayHandler?
    private var context: ChannelHandlerContext?
    /// Bytes that arrived before both pipelines were switched (the HTTP decoders' left-overs).
    private var early: [ByteBuffer] = []
    private var active = false
    private var heldRead = false

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Starts relaying once both pipelines carry bytes only.
    func activate() {
        active = true
        guard let partner else { return }
        for buffer in early { partner.deliver(buffer) }
        if !early.isEmpty { partner.flushOut() }
        early = []
        context?.read()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if active, let partner {
            partner.deliver(buffer)
        } else {
            early.append(buffer)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.flushOut()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let partner = self.partner
        self.partner = nil
        partner?.partner = nil
        partner?.context?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { partner?.resumeReading() }
    }

    func read(context: ChannelHandlerContext) {
        if let partner, let other = partner.context, !other.channel.isWritable {
            heldRead = true
        } else {
            context.read()
        }
    }

    fileprivate func deliver(_ buffer: ByteBuffer) {
        context?.write(wrapOutboundOut(buffer), promise: nil)
    }

    fileprivate func flushOut() {
        context?.flush()
    }

    fileprivate func resumeReading() {
        guard heldRead, let context else { return }
        heldRead = false
        context.read()
    }
}
