import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive connections to the app for one event loop: reuses idle ones (last in, first out), bounded.
/// Sendable only so that it can be handed to its own loop: every method runs on `eventLoop`.
final class UpstreamPool: @unchecked Sendable {
    let eventLoop: any EventLoop
    private let address: SocketAddress
    private let limits: WAASProxyLimits
    private var idle: [UpstreamConnection] = []
    private var closed = false

    init(eventLoop: any EventLoop, address: SocketAddress, limits: WAASProxyLimits) {
        self.eventLoop = eventLoop
        self.address = address
        self.limits = limits
    }

    /// An idle connection, or a new one; `completion` runs on the loop.
    func acquire(_ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        eventLoop.preconditionInEventLoop()
        while let connection = idle.popLast() {
            if connection.channel.isActive {
                connection.reused = true
                completion(.success(connection))
                return
            }
        }
        connect(completion)
    }

    /// A new connection that will not be pooled (upgrades).
    func connect(_ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        let responseTimeout = limits.responseTimeout
        let future = ClientBootstrap(group: eventLoop)
            .connectTimeout(limits.connectTimeout)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // No byte from the app for this long: a 504 during an exchange; an idle pooled connection closes.
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: responseTimeout))
                    // Request heads come from the client's decoded, already validated header list.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(
                        leftOverBytesStrategy: .forwardBytes,
                        enableOutboundHeaderValidation: false
                    )
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler())
                }
            }
            .connect(to: address)
        future.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let channel):
                do {
                    let handler = try channel.pipeline.syncOperations.handler(type: UpstreamHandler.self)
                    let connection = UpstreamConnection(channel: channel, handler: handler)
                    handler.pool = self
                    handler.connection = connection
                    completion(.success(connection))
                } catch {
                    channel.close(promise: nil)
                    completion(.failure(error))
                }
            case .failure(let error):
                completion(.failure(error))
            }
        }
    }

    /// Gives a connection back after a complete exchange; kept when open, reusable and there is room.
    func release(_ connection: UpstreamConnection) {
        eventLoop.preconditionInEventLoop()
        connection.handler.delegate = nil
        guard !closed, connection.channel.isActive, idle.count < limits.maxIdleUpstreamPerLoop else {
            connection.channel.close(promise: nil)
            return
        }
        idle.append(connection)
    }

    /// Forgets a connection that closed while idle.
    func remove(_ connection: UpstreamConnection) {
        idle.removeAll { $0 === connection }
    }

    /// Closes the idle connections; later releases close theirs.
    func close() {
        eventLoop.preconditionInEventLoop()
        closed = true
        let connections = idle
        idle = []
        for connection in connections { connection.channel.close(promise: nil) }
    }
}

/// One connection to the app and its handler.
final class UpstreamConnection {
    let channel: any Channel
    let handler: UpstreamHandler
    /// True once the connection served an earlier exchange (a failure before any answer may then be retried).
    var reused = false

    init(channel: any Channel, handler: UpstreamHandler) {
        self.channel = channel
        self.handler = handler
    }
}
