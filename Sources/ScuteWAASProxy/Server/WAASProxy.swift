import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// `scute waas`: an HTTP/1.1 reverse proxy that inspects every request with the WAAS engine before the app sees it.
package final class WAASProxy: Sendable {
    /// The address actually listened on (its port is the real one when 0 was asked for).
    package let localAddress: SocketAddress
    private let serverChannel: any Channel
    private let group: any EventLoopGroup
    private let ownsGroup: Bool
    private let registry: ConnectionRegistry
    private let pools: UpstreamPools
    private let shared: ProxyShared

    private init(
        serverChannel: any Channel,
        group: any EventLoopGroup,
        ownsGroup: Bool,
        registry: ConnectionRegistry,
        pools: UpstreamPools,
        shared: ProxyShared
    ) throws(WAASProxyError) {
        guard let address = serverChannel.localAddress else { throw .bind("?", "no local address") }
        self.localAddress = address
        self.serverChannel = serverChannel
        self.group = group
        self.ownsGroup = ownsGroup
        self.registry = registry
        self.pools = pools
        self.shared = shared
    }

    /// Resolves the app, binds the listening socket and starts serving. Without a `group`, the proxy makes one
    /// thread per core and shuts it down with itself.
    package static func start(
        configuration: WAASProxyConfiguration,
        eventSink: any WAASEventSink,
        group: (any EventLoopGroup)? = nil,
        logger: Logger = Logger(label: "scute.waas")
    ) async throws -> WAASProxy {
        let appAddress: SocketAddress
        do {
            appAddress = try SocketAddress.makeAddressResolvingHost(configuration.appHost, port: configuration.appPort)
        } catch {
            throw WAASProxyError.address("\(configuration.appHost):\(configuration.appPort)", "cannot resolve the app address: \(error)")
        }
        let ownsGroup = group == nil
        let group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let pools = UpstreamPools(group: group, address: appAddress, limits: configuration.limits)
        let shared = ProxyShared(configuration: configuration, sink: eventSink, pools: pools, logger: logger)
        let registry = ConnectionRegistry()
        let limits = configuration.limits
        var decoderLimits = NIOHTTPDecoderLimitConfiguration()
        decoderLimits.maxHeaderFieldSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderListSize = limits.maxHeaderBytes
        decoderLimits.maxHeaderFieldCount = 256
        let headerLimits = decoderLimits
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            // Bounds what one readable event can queue (pipelined requests wait in the handler): 4 reads of at most 64 KiB.
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                guard registry.admit(channel, maximum: limits.maxConnections) else {
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.addHandler(SlowClientGuard(headerTimeout: limits.headerTimeout, maxBytes: limits.maxHeaderBytes))
                    try pipeline.addHandler(IdleStateHandler(readTimeout: limits.idleTimeout))
                    try pipeline.configureHTTPServerPipeline(
                        withPipeliningAssistance: false,
                        withEncoderConfiguration: .init(),
                        withDecoderLimitConfiguration: headerLimits
                    )
                    try pipeline.addHandler(ProxyServerHandler(shared: shared))
                }
            }
        let listen = "\(configuration.listenHost):\(configuration.listenPort)"
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.listenHost, port: configuration.listenPort).get()
        } catch {
            if ownsGroup { try? await group.shutdownGracefully() }
            throw WAASProxyError.bind(listen, "\(error)")
        }
        return try WAASProxy(serverChannel: channel, group: group, ownsGroup: ownsGroup, registry: registry, pools: pools, shared: shared)
    }

    /// Client connections open now.
    package var connectionCount: Int { registry.count }

    /// Client addresses in the ban table.
    package var bannedCount: Int { shared.bans.entryCount }

    /// Stops accepting, lets requests in flight finish (idle connections close at once), closes what is left after
    /// `grace`, then releases the app connections and the threads.
    package func shutdown(grace: TimeAmount = .seconds(10)) async {
        try? await serverChannel.close()
        for channel in registry.all {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        let deadline = NIODeadline.now() + grace
        while registry.count > 0 && NIODeadline.now() < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        for channel in registry.all { channel.close(promise: nil) }
        try? await pools.closeAll()?.get()
        if ownsGroup { try? await group.shutdownGracefully() }
    }
}
