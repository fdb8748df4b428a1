import Glibc
import ScuteCore
import Synchronization

/// One loopback UDP+TCP port forwarding to one upstream server.
final class DNSEndpoint: @unchecked Sendable {
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
                Glibc.close(u)
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
            Glibc.close(u)
            if t >= 0 { Glibc.close(t) }
        }
        return nil
    }

    func close() {
        Glibc.close(udp)
        Glibc.close(tcp)
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

    /// A socket connected to the upstream server (the kernel then drops datagrams from anyone else).
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
            Glibc.close(fd)
            return nil
        }
        return fd
    }

    private struct Pending {
        var fd: Int32
        var client: sockaddr_storage
        var clientLength: socklen_t
        var deadline: Int64
        var query: DNSMessage
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
                // Replies first, against the pending list the poll set was built from. A reply that does
                // not answer the query is ignored; the query waits for its own until its deadline.
                var finished: Set<Int32> = []
                for (i, p) in pending.enumerated() where fds[i + 2].revents != 0 {
                    let got = buf.withUnsafeMutableBytes { recv(p.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                    if got > 0 {
                        let reply = Array(buf[0..<got])
                        guard forwarder.accept(reply, for: p.query, from: upstream) else { continue }
                        sendTo(p.client, p.clientLength, reply)
                    }
                    finished.insert(p.fd)
                }
                pending.removeAll { p in
                    guard finished.contains(p.fd) else { return false }
                    Glibc.close(p.fd)
                    return true
                }
                if fds[0].revents & Int16(POLLIN) != 0 { receiveQuery(&buf, &pending, now: now) }
                if fds[1].revents & Int16(POLLIN) != 0 { acceptConnection() }
            }
            pending.removeAll { p in
                guard p.deadline < now else { return false }
                Glibc.close(p.fd)
                return true
            }
        }
    }

    private func receiveQuery(_ buf: inout [UInt8], _ pending: inout [Pending], now: Int64) {
        var client = sockaddr_storage()
        var clen = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let got = buf.withUnsafeMutableBytes { b in
            withUnsafeMutablePointer(to: &client) { cp in
                cp.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(udp, b.baseAddress, b.count, 0, $0, &clen) }
            }
        }
        guard got > 0 else { return }
        let bytes = Array(buf[0..<got])
        switch forwarder.decide(bytes, transport: "udp", upstream: upstream) {
        case .drop: return
        case .answer(let reply): sendTo(client, clen, reply)
        case .forward(let query):
            guard pending.count < DNSForwarder.maxPendingQueries, let up = upstreamSocket(stream: false) else {
                if let fail = serverFailure(for: query, bytes: bytes) { sendTo(client, clen, fail) }
                return
            }
            guard send(up, bytes, bytes.count, 0) == bytes.count else {
                Glibc.close(up)
                return
            }
            pending.append(Pending(fd: up, client: client, clientLength: clen, deadline: now + 5_000_000_000, query: query))
        }
    }

    private func acceptConnection() {
        let conn = accept(tcp, nil, nil)
        guard conn >= 0 else { return }
        _ = fcntl(conn, F_SETFD, FD_CLOEXEC)
        let active = forwarder.tcpConnections.wrappingAdd(1, ordering: .relaxed).newValue
        guard active <= DNSForwarder.maxTCPConnections, PosixThread({ [self] in serveTCP(conn) }).tryStart() else {
            forwarder.tcpConnections.wrappingSubtract(1, ordering: .relaxed)
            Glibc.close(conn)
            return
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

    /// DNS over TCP: two-byte length, message; several queries may share a connection. Anything that is
    /// not a query, or a reply that does not answer it, ends the connection.
    private func serveTCP(_ conn: Int32) {
        defer {
            Glibc.close(conn)
            forwarder.tcpConnections.wrappingSubtract(1, ordering: .relaxed)
        }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        var upstreamFD: Int32 = -1
        defer { if upstreamFD >= 0 { Glibc.close(upstreamFD) } }
        while let bytes = Self.readFrame(conn) {
            let query: DNSMessage
            switch forwarder.decide(bytes, transport: "tcp", upstream: upstream) {
            case .drop: return
            case .answer(let reply):
                Sys.writeAll(conn, Self.frame(reply))
                continue
            case .forward(let q): query = q
            }
            if upstreamFD < 0 { upstreamFD = upstreamSocket(stream: true) ?? -1 }
            guard upstreamFD >= 0 else { return }
            Sys.writeAll(upstreamFD, Self.frame(bytes))
            guard let reply = Self.readFrame(upstreamFD), forwarder.accept(reply, for: query, from: upstream) else { return }
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
