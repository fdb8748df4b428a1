import ScuteCore

/// An AF_INET or AF_INET6 socket address as the kernel lays it out (`sockaddr_in`, `sockaddr_in6`).
package struct SocketAddress: Sendable, Equatable {
    package static let afInet: UInt16 = 2
    package static let afInet6: UInt16 = 10

    package var family: UInt16
    package var ip: IPAddress
    package var port: UInt16
    /// The rest of a sockaddr_in6 (flow info, scope id), kept when rewriting.
    package var raw: [UInt8]

    /// Parses a sockaddr; nil for other families (AF_UNIX, AF_NETLINK ...) or short buffers.
    package init?(bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        let family = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        switch family {
        case Self.afInet:
            guard bytes.count >= 8, let ip = IPAddress(bytes: Array(bytes[4..<8])) else { return nil }
            self.ip = ip
        case Self.afInet6:
            guard bytes.count >= 24, let ip = IPAddress(bytes: Array(bytes[8..<24])) else { return nil }
            self.ip = ip
        default:
            return nil
        }
        self.family = family
        self.port = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        self.raw = Array(bytes.prefix(family == Self.afInet ? 16 : 28))
    }

    /// The address with another IPv4 destination and port, in the same family (IPv6 sockets get the
    /// v4-mapped form) and the same length as the original.
    package func rewritten(toIPv4 v4: [UInt8], port newPort: UInt16) -> [UInt8] {
        var b = raw
        b[2] = UInt8(newPort >> 8)
        b[3] = UInt8(newPort & 0xff)
        if family == Self.afInet {
            b.replaceSubrange(4..<8, with: v4)
        } else {
            b.replaceSubrange(8..<24, with: [UInt8](repeating: 0, count: 10) + [0xff, 0xff] + v4)
        }
        return b
    }
}
