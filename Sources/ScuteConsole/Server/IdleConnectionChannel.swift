import HummingbirdCore
import Logging
import NIOCore

/// A child channel that closes its connection when nothing has been read from it for `readTimeout`, whatever
/// state the connection is in: before or during a TLS handshake, before a WebSocket upgrade, or on a channel
/// whose peer stopped answering pings. Its handlers go first in the pipeline, then the wrapped channel's.
struct IdleConnectionChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let readTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandlers(IdleStateHandler(readTimeout: readTimeout), CloseWhenIdle())
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

/// Closes the connection on the read-idle event of the `IdleStateHandler` before it.
private final class CloseWhenIdle: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
