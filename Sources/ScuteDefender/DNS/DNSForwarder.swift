import Glibc
import ScuteCore
import Synchronization

/// The defender's DNS forwarder on loopback. The supervisor judges the app's port-53 destinations like
/// any other, then sends what it allows here (one forwarder port per upstream server), so the forwarder
/// sees every query whatever resolver the app uses. It forwards only well-formed queries (audited
/// otherwise), enforces the dns rules (prevent answers NXDOMAIN), and learns which names each address
/// came from, only from answers that match a query it forwarded (id, question, upstream socket) and
/// only from the resolvers the container was configured with: an answer from a server the app picked
/// could say anything, and name-based network rules trust what is learned.
package final class DNSForwarder: DNSRedirector, Sendable {
    let policy: LivePolicy
    let learned: LearnedNames
    let audit: AuditSink
    let trustedResolvers: [IPAddress]
    private let endpoints = Mutex<[SocketAddressKey: UInt16]>([:])
    /// Concurrent TCP connections across endpoints (a thread each).
    let tcpConnections = Atomic<Int>(0)
    private let malformed = Atomic<Int>(0)

    /// Bounds: a flood of upstreams, queries or connections must not become a flood of threads, sockets
    /// or memory. Past a bound the query is refused (SERVFAIL, or the connect to port 53), never let by.
    static let maxEndpoints = 16
    static let maxPendingQueries = 256
    static let maxTCPConnections = 32

    package init(policy: LivePolicy, learned: LearnedNames, audit: AuditSink, trustedResolvers: [IPAddress]) {
        self.policy = policy
        self.learned = learned
        self.audit = audit
        self.trustedResolvers = trustedResolvers
    }

    package func localPort(forUpstream upstream: SocketAddress) -> UInt16? {
        let key = SocketAddressKey(ip: upstream.ip, port: upstream.port)
        return endpoints.withLock { e -> UInt16? in
            if let p = e[key] { return p }
            guard e.count < Self.maxEndpoints, let endpoint = DNSEndpoint(upstream: upstream, forwarder: self) else { return nil }
            guard PosixThread({ endpoint.serve() }).tryStart() else {
                endpoint.close()
                return nil
            }
            e[key] = endpoint.port
            return endpoint.port
        }
    }

    /// What to do with a message sent to a forwarder port.
    enum Decision {
        /// Forward it; the reply must answer this query.
        case forward(DNSMessage)
        /// Answer at once (NXDOMAIN for a denied name).
        case answer([UInt8])
        /// Not a DNS query: dropped (and audited).
        case drop
    }

    func decide(_ bytes: [UInt8], transport: String, upstream: SocketAddress) -> Decision {
        guard let msg = DNSMessage(bytes: bytes), msg.isWellFormedQuery, let name = msg.queryName else {
            reportMalformed(bytes.count, transport: transport, upstream: upstream)
            return .drop
        }
        let verdict = policy.rule?.evaluate(domain: name) ?? .allow
        let event = AuditEvent(
            time: Sys.now(),
            type: .dns,
            effect: verdict.action,
            rule: verdict.rule,
            attackType: verdict.attackType,
            domain: name,
            msg: verdict.message.isEmpty ? "\(transport) query for \(name)" : verdict.message
        )
        audit.forensic(event)
        if verdict.action != .allow { audit.record(event) }
        if verdict.prevents, let nx = DNSMessage.nameError(for: bytes) { return .answer(nx) }
        return .forward(msg)
    }

    /// Audits what was sent to a DNS port and is not DNS: every one of the first 20, then one in 1,000.
    private func reportMalformed(_ count: Int, transport: String, upstream: SocketAddress) {
        let n = malformed.wrappingAdd(1, ordering: .relaxed).newValue
        guard n <= 20 || n % 1000 == 0 else { return }
        audit.record(
            AuditEvent(
                time: Sys.now(),
                type: .dns,
                effect: .prevent,
                rule: policy.rule?.name,
                attackType: .malformedDNS,
                ip: upstream.ip.description,
                port: Int(upstream.port),
                msg: "\(transport) message of \(count) bytes to \(upstream.ip):\(upstream.port) is not a well-formed DNS query: dropped (\(n) so far)"
            )
        )
    }

    /// Learns the addresses of `reply` for the question of `query`, when the reply answers it and came
    /// from a configured resolver. Returns whether the reply answers the query (else it is not relayed).
    func accept(_ reply: [UInt8], for query: DNSMessage, from upstream: SocketAddress) -> Bool {
        guard let msg = DNSMessage(bytes: reply), msg.isAnswer(to: query) else { return false }
        guard trustedResolvers.contains(upstream.ip) else { return true }
        let (names, records) = msg.addressesForQuestion
        let now = Sys.now()
        let denied = (policy.rule?.network.deniedIPs ?? []).compactMap { entry -> Wildcard? in
            if case .domain(let w) = entry { return w }
            return nil
        }
        let isProtected: (String) -> Bool = { name in denied.contains { $0.matches(name) } }
        for record in records {
            guard let ip = record.address else { continue }
            for n in names { learned.learn(name: n, ip: ip, ttl: record.ttl, now: now, isProtected: isProtected) }
        }
        return true
    }
}

/// A SERVFAIL for `query` (a bound was reached: the resolver retries or fails, nothing goes unjudged).
func serverFailure(for query: DNSMessage, bytes: [UInt8]) -> [UInt8]? {
    guard var nx = DNSMessage.nameError(for: bytes), nx.count > 3 else { return nil }
    nx[3] = (nx[3] & 0xf0) | 2
    return nx
}

struct SocketAddressKey: Hashable {
    var ip: IPAddress
    var port: UInt16
}
