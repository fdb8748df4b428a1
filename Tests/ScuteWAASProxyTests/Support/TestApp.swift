import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the test app saw of one request.
struct SeenRequest: Sendable {
    var method: String
    var uri: String
    var headers: [(String, String)]
    var body: [UInt8]
    /// The app-side connection it came on (distinct per TCP connection).
    var connection: Int

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }
}

/// A small HTTP/1.1 app on loopback: answers 200 `ok:<bytes of body>`, `/slow` after a delay, and switches
/// `Upgrade` requests to a raw echo after a 101.
final class TestApp: Sendable {
    let port: Int
    private let channel: any Channel
    private let recorder: Recorder

    var requests: [SeenRequest] { recorder.state.withLock { $0.requests } }
    var connectionCount: Int { recorder.state.withLock { $0.connections } }

    private init(channel: any Channel, recorder: Recorder) {
        self.channel = channel
        self.port = channel.localAddress?.port ?? 0
        self.recorder = recorder
    }

    static func start(group: any EventLoopGroup) async throws -> TestApp {
        let recorder = Recorder()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let id = recorder.newConnection()
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(AppHandler(recorder: recorder, connection: id))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return TestApp(channel: channel, recorder: recorder)
    }

    func stop() async {
        try? await channel.close()
    }
}

private final class Recorder: Sendable {
    struct State {
        var requests: [SeenRequest] = []
        var connections = 0
    }

    let state = Mutex(State())

    func newConnection() -> Int {
        state.withLock { state in
            state.connections += 1
            return state.connections
        }
    }

    func record(_ request: SeenRequest) {
        state.withLock { $0.requests.append(request) }
    }
}

private final class AppHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorder: Recorder
    private let connection: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(recorder: Recorder, connection: Int) {
        self.recorder = recorder
        self.connection = connection
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(var part):
            body += part.readBytes(length: part.readableBytes) ?? []
        case .end:
            guard let head else { return }
            let seen = SeenRequest(
                method: head.method.rawValue,
                uri: head.uri,
                headers: head.headers.map { ($0.name, $0.value) },
                body: body,
                connection: connection
            )
            recorder.record(seen)
            if head.headers.contains(name: "upgrade") {
                upgrade(context: context)
            } else if head.uri == "/slow" {
                let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .milliseconds(300)) {
                    let (handler, context) = bound.value
                    handler.respond(context: context, text: "slow")
                }
            } else {
                respond(context: context, text: "ok:\(body.count)")
            }
        }
    }

    private func respond(context: ChannelHandlerContext, text: String) {
        var headers = HTTPHeaders()
        headers.add(name: "content-length", value: String(text.utf8.count))
        headers.add(name: "content-type", value: "text/plain")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func upgrade(context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "upgrade", value: "websocket")
        headers.add(name: "connection", value: "Upgrade")
        headers.add(name: "sec-websocket-accept", value: "test-accept")
        let head = HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        let pipeline = context.pipeline.syncOperations
        try? pipeline.addHandler(EchoHandler())
        pipeline.removeHandler(context: context, promise: nil)
        for handler in [
            try? pipeline.handler(type: HTTPServerProtocolErrorHandler.self) as (any RemovableChannelHandler)?,
            try? pipeline.handler(type: NIOHTTPResponseHeadersValidator.self),
            try? pipeline.handler(type: HTTPServerPipelineHandler.self),
            try? pipeline.handler(type: HTTPResponseEncoder.self),
            try? pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self),
        ] {
            if let handler { pipeline.removeHandler(handler, promise: nil) }
        }
    }
}

/// Sends back every byte it receives.
private final class EchoHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }
}
