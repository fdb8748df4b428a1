import NIOCore
import NIOPosix
import ScuteWAASProxy
import Synchronization

/// Keeps every event in memory.
final class CollectingSink: WAASEventSink {
    private let stored = Mutex<[WAASEvent]>([])

    var events: [WAASEvent] { stored.withLock { $0 } }

    func record(_ events: [WAASEvent]) {
        stored.withLock { $0 += events }
    }
}

/// A proxy in front of a `TestApp`, both on one event loop (so the app connection pool is shared by all clients).
struct Harness {
    let group: MultiThreadedEventLoopGroup
    let app: TestApp
    let proxy: WAASProxy
    let sink: CollectingSink

    var port: Int { proxy.localAddress.port ?? 0 }

    static func start(policy: WAASPolicy = WAASPolicy(), limits: WAASProxyLimits = WAASProxyLimits()) async throws -> Harness {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let app = try await TestApp.start(group: group)
        let sink = CollectingSink()
        let configuration = WAASProxyConfiguration(
            listenHost: "127.0.0.1",
            listenPort: 0,
            appHost: "127.0.0.1",
            appPort: app.port,
            policy: policy,
            limits: limits
        )
        let proxy = try await WAASProxy.start(configuration: configuration, eventSink: sink, group: group)
        return Harness(group: group, app: app, proxy: proxy, sink: sink)
    }

    func client() throws -> RawClient {
        try RawClient(port: port)
    }

    func stop() async {
        await proxy.shutdown(grace: .seconds(2))
        await app.stop()
        try? await group.shutdownGracefully()
    }
}

/// A request with an everyday Host (a numeric Host is itself a protocol finding).
func get(_ target: String, _ extra: String = "") -> String {
    "GET \(target) HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: test-client/1.0\r\nAccept: */*\r\n\(extra)\r\n"
}

func post(_ target: String, form: String, _ extra: String = "") -> String {
    "POST \(target) HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: test-client/1.0\r\nAccept: */*\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(form.utf8.count)\r\n\(extra)\r\n\(form)"
}

/// Runs `body` against a fresh harness and always stops it.
func withHarness(
    policy: WAASPolicy = WAASPolicy(),
    limits: WAASProxyLimits = WAASProxyLimits(),
    _ body: (Harness) async throws -> Void
) async throws {
    let harness = try await Harness.start(policy: policy, limits: limits)
    do {
        try await body(harness)
    } catch {
        await harness.stop()
        throw error
    }
    await harness.stop()
}
