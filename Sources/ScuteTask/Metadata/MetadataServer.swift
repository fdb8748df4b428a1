import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// The task's current status, shared between the run loop (which writes it) and the endpoint (which reads it).
package final class MetadataState: Sendable {
    private let status: Mutex<TaskStatus>

    package init(_ status: TaskStatus) {
        self.status = Mutex(status)
    }

    package var current: TaskStatus { status.withLock { $0 } }

    package func update(_ change: (inout TaskStatus) -> Void) {
        status.withLock { change(&$0) }
    }
}

/// The task metadata endpoint: HTTP/1.1 on a socket already listening inside the task's network namespace.
final class MetadataServer {
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// Serves `state` on `listenFD` (which the server now owns and closes).
    init(listenFD: Int32, state: MetadataState) throws(TaskError) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetadataHandler(state: state))
                }
            }
        do {
            channel = try bootstrap.withBoundSocket(listenFD).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw .system("metadata endpoint: \(error)")
        }
        self.group = group
    }

    func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// One connection: answers each GET from the current status.
private final class MetadataHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: MetadataState
    private var head: HTTPRequestHead?

    init(state: MetadataState) {
        self.state = state
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            head = request
        case .body:
            break
        case .end:
            guard let request = head else { return }
            head = nil
            respond(to: request, context: context)
        }
    }

    private func respond(to request: HTTPRequestHead, context: ChannelHandlerContext) {
        let response: MetadataRouter.Response
        if request.method == .GET || request.method == .HEAD {
            response = MetadataRouter.respond(to: request.uri, task: state.current, stats: ContainerStats.document)
        } else {
            response = MetadataRouter.Response(status: 405, body: "{\"error\":\"only GET is served\"}")
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        headers.add(name: "Content-Length", value: String(response.body.utf8.count))
        let keepAlive = request.isKeepAlive
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: .init(statusCode: response.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: response.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
