import Glibc
import ScuteCore
import Synchronization

/// The defender's DNS forwarder on loopback. The supervisor rewrites the destination of the app's
/// port-53 traffic to it (one forwarder port per upstream server the app tried to reach), so it sees
/// every query whatever resolver the app uses; it enforces the dns rules (prevent answers NXDOMAIN),
/// forwards the rest to the server the app asked for, and learns which names each address came from.
package final class DNSForwarder: DNSRedirector, Sendable {
    private let policy: LivePolicy
    private let learned: LearnedNames
    private let audit: AuditSink
    private let endpoints = Mutex<[SocketAddressKey: UInt16]>([:])
    /// Upstreams beyond this many share the last forwarder's upstream: a flood of port-53 destinations
    /// must not become a flood of threads.
    private let maxEndpoints = 16

    package init(policy: LivePolicy, learned: LearnedNames, audit: AuditSink) {
        self.policy = policy
        self.learned = learned
        self.audit = audit
    }

    package func localPort(forUpstream upstream: SocketAddress) -> UInt16? {
        let key = SocketAddressKey(ip: upstream.ip, port: upstream.port)
        return endpoints.withLock { e -> UInt16? in
            if let p = e[key] { return p }
            if e.count >= maxEndpoints { return e.values.first }
            guard let endpoint = Endpoint(upstream: upstream, forwarder: self) else { return nil }
            e[key] = endpoint.port
            PosixThread { endpoint.serve() }.start()
            return endpoint.port
        }
    }

    /// What to do with a query: an immediate answer (NXDOMAIN) or nil to forward it.
    func decide(_ query: [UInt8], transport: String) -> [UInt8]? {
        guard let msg = DNSMessage(bytes: query), let name = msg.queryName else { return nil }
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
        return verdict.prevents ? DNSMessage.nameError(for: query) : nil
    }

    /// Records the addresses of an answer against the question and alias names.
    func learn(_ response: [UInt8]) {
        guard let msg = DNSMessage(bytes: response), msg.isResponse else { return }
        var names = Set(msg.answers.filter { $0.type == DNSMessage.typeCNAME }.map(\.name))
        if let q = msg.queryName { names.insert(q) }
        let now = Sys.now()
        for record in msg.answers {
            guard let ip = record.address else { continue }
            for n in names.union([record.name]) { learned.learn(name: n, ip: ip, ttl: record.ttl, now: now) }
        }
    }
}

struct SocketAddressKey: Hashable {
    var ip: IPAddress
    var port: UInt16
}

/// One loopback UDP+TCP port forwarding to one upstream server.
private final class Endpoint: @unchecked Sendable {
    let upstream: SocketAddress
    unowned let forwarder: DNSForwarder
    let udp: Int32
    let tcp: Int32
    let port: UInt16

    init?(upstream: SocketAddress, forwarder: DNSForwarder) {
        self.upstream = upstream
        self.forwarder = forwarder
        for _ in 0..<8 {
            let u = socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard u >= 0 else { return nil }
            guard Self.bindLoopback(u, port: 0), let p = Self.localPort(u) else {
                close(u)
                return nil
            }
            let t = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var one: Int32 = 1
            setsockopt(t, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if t >= 0 && Self.bindLoopback(t, port: p) && listen(t, 64) == 0 {
                udp = u
                tcp = t
                port = p
                return
            }
            close(u)
            if t >= 0 { close(t) }
        }
        return nil
    }

    static func bindLoopback(_ fd: Int32, port: UInt16) -> Bool {
        var sin = sockaddr_in()
        sin.sin_family = sa_family_t(AF_INET)
        sin.sin_port = port.bigEndian
        sin.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        return withUnsafePointer(to: &sin) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    static func localPort(_ fd: Int32) -> UInt16? {
        var sin = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let rc = withUnsafeMutablePointer(to: &sin) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return rc == 0 ? UInt16(bigEndian: sin.sin_port) : nil
    }

    /// A socket connected to the upstream server.
    func upstreamSocket(stream: Bool) -> Int32? {
        let family = upstream.family == SocketAddress.afInet ? AF_INET : AF_INET6
        let type = stream ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue)
        let fd = socket(family, type | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        var tv = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let raw = upstream.raw
        let rc = raw.withUnsafeBytes { b in connect(fd, b.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t(raw.count)) }
        guard rc == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private struct Pending {
        var fd: Int32
        var client: sockaddr_storage
        var clientLength: socklen_t
        var deadline: Int64
    }

    func serve() {
        var pending: [Pending] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            var fds = [pollfd(fd: udp, events: Int16(POLLIN), revents: 0), pollfd(fd: tcp, events: Int16(POLLIN), revents: 0)]
            fds += pending.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let n = poll(&fds, nfds_t(fds.count), 500)
            let now = Sys.monotonic()
            if n > 0 {
                // Replies first, against the pending list the poll set was built from.
                var finished: Set<Int32> = []
                for (i, p) in pending.enumerated() where fds[i + 2].revents != 0 {
                    let got = buf.withUnsafeMutableBytes { recv(p.fd, $0.baseAddress, $0.count, 0) }
                    if got > 0 {
                        let reply = Array(buf[0..<got])
                        forwarder.learn(reply)
                        sendTo(p.client, p.clientLength, reply)
                    }
                    finished.insert(p.fd)
                }
                pending.removeAll { p in
                    if finished.contains(p.fd) {
                        close(p.fd)
                        return true
                    }
                    return false
                }
                if fds[0].revents & Int16(POLLIN) != 0 {
                    var client = sockaddr_storage()
                    var clen = socklen_t(MemoryLayout<sockaddr_storage>.size)
                    let got = buf.withUnsafeMutableBytes { b in
                        withUnsafeMutablePointer(to: &client) { cp in
                            cp.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(udp, b.baseAddress, b.count, 0, $0, &clen) }
                        }
                    }
                    if got > 0 {
                        let query = Array(buf[0..<got])
                        if let reply = forwarder.decide(query, transport: "udp") {
                            sendTo(client, clen, reply)
                        } else if let up = upstreamSocket(stream: false), send(up, query, query.count, 0) == query.count {
                            pending.append(Pending(fd: up, client: client, clientLength: clen, deadline: now + 5_000_000_000))
                        }
                    }
                }
                if fds[1].revents & Int16(POLLIN) != 0 {
                    let conn = accept(tcp, nil, nil)
                    if conn >= 0 {
                        _ = fcntl(conn, F_SETFD, FD_CLOEXEC)
                        PosixThread { [self] in serveTCP(conn) }.start()
                    }
                }
            }
            pending.removeAll { p in
                if p.deadline < now {
                    close(p.fd)
                    return true
                }
                return false
            }
        }
    }

    private func sendTo(_ client: sockaddr_storage, _ len: socklen_t, _ bytes: [UInt8]) {
        var c = client
        _ = bytes.withUnsafeBytes { b in
            withUnsafePointer(to: &c) { cp in
                cp.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(udp, b.baseAddress, b.count, 0, $0, len) }
            }
        }
    }

    /// DNS over TCP: two-byte length, message; several queries may share a connection.
    private func serveTCP(_ conn: Int32) {
        defer { close(conn) }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var upstreamFD: Int32 = -1
        defer { if upstreamFD >= 0 { close(upstreamFD) } }
        while let query = Self.readFrame(conn) {
            if let reply = forwarder.decide(query, transport: "tcp") {
                Sys.writeAll(conn, Self.frame(reply))
                continue
            }
            if upstreamFD < 0 { upstreamFD = upstreamSocket(stream: true) ?? -1 }
            guard upstreamFD >= 0 else { return }
            Sys.writeAll(upstreamFD, Self.frame(query))
            guard let reply = Self.readFrame(upstreamFD) else { return }
            forwarder.learn(reply)
            Sys.writeAll(conn, Self.frame(reply))
        }
    }

    static func frame(_ m: [UInt8]) -> [UInt8] { [UInt8(m.count >> 8), UInt8(m.count & 0xff)] + m }

    static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let head = readExactly(fd, 2) else { return nil }
        let len = Int(head[0]) << 8 | Int(head[1])
        return len == 0 ? nil : readExactly(fd, len)
    }

    static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var out = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = out.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return out
    }
}
