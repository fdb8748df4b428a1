import Logging
import Prometheus
import ScuteCore
import ScuteStore
import ScuteUplink

/// The defenders connected to this console replica, and what each was last sent.
/// Pushes a `policy` message to every defender whose effective rule changed.
actor ChannelHub {
    private struct Link {
        let hello: DefenderHello
        let continuation: AsyncStream<ChannelMessage>.Continuation
        var lastPolicy: String
    }

    private var links: [UInt64: Link] = [:]
    private var nextID: UInt64 = 0
    private var resolver = PolicyResolver(policy: RuntimePolicy(version: 0, rules: []), collections: [])
    private var seen: Set<String> = []
    private let metrics: ConsoleMetrics

    init(metrics: ConsoleMetrics) {
        self.metrics = metrics
    }

    var count: Int { links.count }
    var policyVersion: Int64 { resolver.policy.version }

    /// Adds a connected defender; returns its link id and the `welcome` message to send first.
    /// `credential` is the defender's new credential when it just enrolled (sent once, in this `welcome`).
    func register(
        _ hello: DefenderHello,
        continuation: AsyncStream<ChannelMessage>.Continuation,
        settings: JSONObject,
        credential: String? = nil
    ) -> (
        UInt64, ChannelMessage
    ) {
        nextID += 1
        var payload = policyPayload(for: hello)
        payload["settings"] = .object(settings)
        payload["protocol"] = .int(ChannelMessage.protocolVersion)
        if let credential { payload["credential"] = .string(credential) }
        links[nextID] = Link(hello: hello, continuation: continuation, lastPolicy: Self.fingerprint(payload))
        metrics.connectedDefenders.set(Double(links.count))
        return (nextID, ChannelMessage(type: .welcome, payload: payload))
    }

    func unregister(_ id: UInt64) {
        links[id]?.continuation.finish()
        links[id] = nil
        metrics.connectedDefenders.set(Double(links.count))
    }

    /// Sends a message to one link (an `ack`, a heartbeat answer).
    func send(_ message: ChannelMessage, to id: UInt64) {
        links[id]?.continuation.yield(message)
    }

    /// Installs a new policy and pushes it to each defender whose rule changed.
    func update(_ newResolver: PolicyResolver) {
        guard newResolver.policy.version >= resolver.policy.version else { return }
        resolver = newResolver
        metrics.policyVersion.set(Double(newResolver.policy.version))
        for (id, link) in links {
            let payload = policyPayload(for: link.hello)
            let fingerprint = Self.fingerprint(payload)
            guard fingerprint != link.lastPolicy else { continue }
            links[id]?.lastPolicy = fingerprint
            link.continuation.yield(ChannelMessage(type: .policy, id: String(newResolver.policy.version), payload: payload))
            metrics.policyPushes.increment()
        }
    }

    /// Closes the channels of a revoked defender.
    func disconnect(defenderID: String, reason: String) {
        for (id, link) in links where link.hello.defenderID == defenderID {
            link.continuation.yield(ChannelMessage(type: .error, payload: JSONObject(["message": .string(reason), "fatal": true])))
            link.continuation.finish()
            links[id] = nil
        }
        metrics.connectedDefenders.set(Double(links.count))
    }

    /// Closes every channel (their credentials were revoked).
    func disconnectAll(reason: String) {
        for link in links.values {
            link.continuation.yield(ChannelMessage(type: .error, payload: JSONObject(["message": .string(reason), "fatal": true])))
            link.continuation.finish()
        }
        links.removeAll()
        metrics.connectedDefenders.set(Double(0))
    }

    /// Whether a channel of this replica speaks for `defenderID` now.
    func isConnected(_ defenderID: String) -> Bool { links.values.contains { $0.hello.defenderID == defenderID } }

    func markSeen(_ defenderID: String) { seen.insert(defenderID) }

    /// The defenders heard from since the last call, plus every connected one (their link is up).
    func takeSeen() -> [String] {
        var ids = seen
        for link in links.values { ids.insert(link.hello.defenderID) }
        seen.removeAll()
        return ids.sorted()
    }

    private func policyPayload(for hello: DefenderHello) -> JSONObject {
        let identity = DefenderIdentity(hello: hello)
        let (document, rule) = resolver.policy(for: identity)
        return JSONObject([
            "version": .number(String(resolver.policy.version)), "rule": rule.map(JSONValue.string) ?? .null, "policy": document,
            "compliance": resolver.compliance(for: identity),
        ])
    }

    /// What decides whether a defender needs a push: its rule and compliance settings, not the global version.
    private static func fingerprint(_ payload: JSONObject) -> String {
        (payload["policy"] ?? .null).serialized(.compact) + "\n" + (payload["compliance"] ?? .null).serialized(.compact)
    }
}
