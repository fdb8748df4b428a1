import NIOCore

/// One `UpstreamPool` per event loop of the group, made at start; each is used only on its own loop.
final class UpstreamPools: @unchecked Sendable {
    // Immutable after init; every pool confines itself to its loop.
    private let pools: [ObjectIdentifier: UpstreamPool]

    init(group: any EventLoopGroup, address: SocketAddress, limits: WAASProxyLimits) {
        var pools: [ObjectIdentifier: UpstreamPool] = [:]
        for loop in group.makeIterator() {
            pools[ObjectIdentifier(loop)] = UpstreamPool(eventLoop: loop, address: address, limits: limits)
        }
        self.pools = pools
    }

    /// The pool of `eventLoop` (a loop of the group the proxy was started on).
    func pool(for eventLoop: any EventLoop) -> UpstreamPool? {
        pools[ObjectIdentifier(eventLoop)]
    }

    /// Closes every idle connection and refuses to keep new ones.
    func closeAll() -> EventLoopFuture<Void>? {
        let futures = pools.values.map { pool in pool.eventLoop.submit { pool.close() } }
        guard let first = futures.first else { return nil }
        return EventLoopFuture.andAllComplete(futures, on: first.eventLoop)
    }
}
