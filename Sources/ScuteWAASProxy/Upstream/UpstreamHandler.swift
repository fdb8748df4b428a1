import NIOCore
import NIOHTTP1

/// What an upstream connection reports to the client connection it currently serves (both on one event loop).
protocol UpstreamDelegate: AnyObject {
    func upstreamHead(_ head: HTTPResponseHead)
    func upstreamBody(_ body: ByteBuffer)
    func upstreamEnd(_ trailers: HTTPHeaders?, keepAlive: Bool)
    func upstreamReadComplete()
    func upstreamFailed(_ error: any Error)
    func upstreamWritabilityChanged(_ writable: Bool)
    /// False while the client cannot take more bytes: the upstream then stops reading.
    var clientWritable: Bool { get }
}

/// The app side of one exchange: hands response parts to the delegate, holds reads while the client is slow.
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    weak var pool: UpstreamPool?
    weak var connection: UpstreamConnection?
    /// Strong while an exchange runs; cleared when the connection goes back to the pool.
    var delegate: (any UpstreamDelegate)?
    private var keepAlive = true
    private var heldRead = false
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            keepAlive = head.isKeepAlive
            delegate?.upstreamHead(head)
        case .body(let body):
            delegate?.upstreamBody(body)
        case .end(let trailers):
            let delegate = self.delegate
            delegate?.upstreamEnd(trailers, keepAlive: keepAlive)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        delegate?.upstreamReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let delegate {
            self.delegate = nil
            delegate.upstreamFailed(ChannelError.eof)
        } else if let connection {
            pool?.remove(connection)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let delegate {
            self.delegate = nil
            delegate.upstreamFailed(error)
        }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        if let delegate {
            self.delegate = nil
            delegate.upstreamFailed(UpstreamTimeout())
        }
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        delegate?.upstreamWritabilityChanged(context.channel.isWritable)
    }

    func read(context: ChannelHandlerContext) {
        if let delegate, !delegate.clientWritable {
            heldRead = true
        } else {
            context.read()
        }
    }

    /// Called when the client can take bytes again.
    func resumeReading() {
        guard heldRead, let context else { return }
        heldRead = false
        context.read()
    }

    /// Writes a request part (not flushed).
    func send(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }
}
