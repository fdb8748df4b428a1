import NIOCore
import NIOHTTP1

extension ProxyServerHandler {
    /// After the app's 101 reached the client: both pipelines drop their HTTP handlers and relay raw bytes.
    func switchToRelay(_ exchange: Exchange, connection: UpstreamConnection) {
        guard let context else { return }
        self.exchange = nil
        connection.handler.delegate = nil
        let clientSide = RawRelayHandler()
        let appSide = RawRelayHandler()
        clientSide.partner = appSide
        appSide.partner = clientSide
        do {
            let client = context.pipeline.syncOperations
            try client.addHandler(clientSide)
            client.removeHandler(context: context, promise: nil)
            try? removeAll(
                client,
                [
                    HTTPServerProtocolErrorHandler.self, NIOHTTPResponseHeadersValidator.self, HTTPServerPipelineHandler.self,
                    HTTPResponseEncoder.self, ByteToMessageHandler<HTTPRequestDecoder>.self, IdleStateHandler.self,
                    SlowClientGuard.self,
                ]
            )
            let app = connection.channel.pipeline.syncOperations
            try app.addHandler(appSide)
            app.removeHandler(connection.handler, promise: nil)
            try? removeAll(
                app,
                [HTTPRequestEncoder.self, ByteToMessageHandler<HTTPResponseDecoder>.self, IdleStateHandler.self]
            )
        } catch {
            context.close(promise: nil)
            connection.channel.close(promise: nil)
            return
        }
        clientSide.activate()
        appSide.activate()
    }

    private func removeAll(_ pipeline: ChannelPipeline.SynchronousOperations, _ types: [any RemovableChannelHandler.Type]) throws {
        for type in types {
            try removeOne(pipeline, type)
        }
    }

    private func removeOne<Handler: RemovableChannelHandler>(_ pipeline: ChannelPipeline.SynchronousOperations, _ type: Handler.Type) throws {
        guard let handler = try? pipeline.handler(type: type) else { return }
        pipeline.removeHandler(handler, promise: nil)
    }
}
