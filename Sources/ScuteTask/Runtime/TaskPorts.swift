import CScuteTask
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The task's way out and in, as its network interface gives a Fargate task: each `--forward` listens on
/// the task's loopback and connects on the host, each `--publish` listens on the host's loopback and
/// connects inside the task. Bytes are copied both ways with back-pressure, half-closes are passed on.
final class TaskPorts {
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private var listeners: [any Channel] = []

    init(configuration: TaskRunConfiguration, netFD: Int32) throws(TaskError) {
        do {
            for forward in configuration.forwards {
                let fd = scute_task_tcp_in(netFD, "127.0.0.1", forward.port, 1)
                if fd < 0 { throw TaskError.system("--forward \(forward.port): listen on the task's 127.0.0.1", errno: scute_task_errno()) }
                let host = forward.hostAddress
                let port = Int(forward.port)
                listeners.append(try Self.server(group, target: .host(host, port)).withBoundSocket(fd).wait())
            }
            for publish in configuration.publishes {
                let target = Target.task(netFD: netFD, port: publish.taskPort)
                listeners.append(try Self.server(group, target: target).bind(host: "127.0.0.1", port: Int(publish.hostPort)).wait())
            }
        } catch let error as TaskError {
            shutdown()
            throw error
        } catch {
            shutdown()
            throw .system("port forwarding: \(error)")
        }
    }

    func shutdown() {
        for listener in listeners { try? listener.close().wait() }
        listeners.removeAll()
        try? group.syncShutdownGracefully()
    }

    enum Target: Sendable {
        case host(String, Int)
        case task(netFD: Int32, port: UInt16)
    }

    /// Accepts connections and glues each to a new connection to `target`, reading nothing before.
    private static func server(_ group: MultiThreadedEventLoopGroup, target: Target) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 128)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { inbound in
                connect(target, on: inbound.eventLoop).flatMapThrowing { outbound in
                    do {
                        try Glue.join(inbound, outbound)
                    } catch {
                        outbound.close(promise: nil)
                        throw error
                    }
                }
            }
    }

    private static func connect(_ target: Target, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let bootstrap = ClientBootstrap(group: loop).channelOption(.allowRemoteHalfClosure, value: true).channelOption(.autoRead, value: false)
        switch target {
        case .host(let host, let port):
            return bootstrap.connect(host: host, port: port)
        case .task(let netFD, let port):
            // A blocking connect on the task's loopback: it completes (or is refused) at once.
            let fd = scute_task_tcp_in(netFD, "127.0.0.1", port, 0)
            guard fd >= 0 else { return loop.makeFailedFuture(TaskError.system("--publish to task port \(port)", errno: scute_task_errno())) }
            return bootstrap.withConnectedSocket(fd)
        }
    }
}

/// One side of a two-way copy between channels on the same event loop: what one side reads, the other
/// writes; a side reads only while the other can take more.
private final class Glue: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: Glue?
    private var context: ChannelHandlerContext?
    private var readPending = false

    /// Adds a glue to both channels (which must share an event loop) and starts reading both.
    static func join(_ a: any Channel, _ b: any Channel) throws {
        let left = Glue()
        let right = Glue()
        left.partner = right
        right.partner = left
        try a.pipeline.syncOperations.addHandler(left)
        try b.pipeline.syncOperations.addHandler(right)
        a.setOption(.autoRead, value: true).whenFailure { _ in a.close(promise: nil) }
        b.setOption(.autoRead, value: true).whenFailure { _ in b.close(promise: nil) }
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            partner?.context?.close(mode: .output, promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let partner, partner.readPending {
            partner.readPending = false
            partner.context?.read()
        }
    }

    func read(context: ChannelHandlerContext) {
        if partner?.context?.channel.isWritable ?? false {
            context.read()
        } else {
            readPending = true
        }
    }
}
