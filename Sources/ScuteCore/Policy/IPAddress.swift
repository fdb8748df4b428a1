/// An IPv4 or IPv6 address. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) compare and match as the IPv4
/// address they carry, so a rule written for one form catches the other.
public struct IPAddress: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// 4 bytes for IPv4, 16 for IPv6 (never a v4-mapped IPv6 address: those are stored as IPv4).
    public let bytes: [UInt8]

    /// An address from 4 or 16 network-order bytes.
    public init?(bytes: [UInt8]) {
        if bytes.count == 4 {
            self.bytes = bytes
        } else if bytes.count == 16 {
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff {
                self.bytes = Array(bytes[12..<16])
            } else {
                self.bytes = bytes
            }
        } else {
            return nil
        }
    }

    /// Parses dotted-quad IPv4 or RFC 4291 IPv6 text (with `::` and an embedded IPv4 tail).
    public init?(_ text: String) {
        if text.contains(":") {
            guard let b = Self.parseV6(Substring(text)) else { return nil }
            self.init(bytes: b)
        } else {
            guard let b = Self.parseV4(Substring(text)) else { return nil }
            self.init(bytes: b)
        }
    }

    public var isIPv4: Bool { bytes.count == 4 }

    public var description: String {
        if isIPv4 { return bytes.map { String($0) }.joined(separator: ".") }
        var groups: [UInt16] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])) }
        // Longest run of zero groups (length >= 2) becomes "::".
        var bestStart = -1
        var bestLen = 0
        var i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 {
                    bestStart = i
                    bestLen = j - i
                }
                i = j
            } else {
                i += 1
            }
        }
        func hex(_ g: UInt16) -> String { String(g, radix: 16) }
        if bestStart < 0 { return groups.map(hex).joined(separator: ":") }
        let head = groups[0..<bestStart].map(hex).joined(separator: ":")
        let tail = groups[(bestStart + bestLen)...].map(hex).joined(separator: ":")
        return head + "::" + tail
    }

    static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy({ $0.isASCII && $0.isNumber }), let v = UInt8(p) else { return nil }
            if p.count > 1 && p.first == "0" { return nil }
            out.append(v)
        }
        return out
    }

    static func parseV6(_ text: Substring) -> [UInt8]? {
        var text = text
        // Zone index (fe80::1%eth0) does not take part in matching.
        if let pct = text.firstIndex(of: "%") { text = text[..<pct] }
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ s: Substring, allowV4Tail: Bool) -> [UInt8]? {
            if s.isEmpty { return [] }
            var out: [UInt8] = []
            let parts = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, p) in parts.enumerated() {
                if i == parts.count - 1 && allowV4Tail && p.contains(".") {
                    guard let v4 = parseV4(p) else { return nil }
                    out += v4
                    continue
                }
                guard !p.isEmpty, p.count <= 4, let v = UInt16(p, radix: 16) else { return nil }
                out.append(UInt8(v >> 8))
                out.append(UInt8(v & 0xff))
            }
            return out
        }
        if halves.count == 1 {
            guard let b = groups(halves[0], allowV4Tail: true), b.count == 16 else { return nil }
            return b
        }
        guard let head = groups(halves[0], allowV4Tail: false), let tail = groups(halves[1], allowV4Tail: true) else { return nil }
        guard head.count + tail.count <= 14 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}

extension Substring {
    /// Splits at the first "::" (more than one is reported as three parts, which the caller rejects).
    fileprivate func components(separatedByDoubleColon: ()) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var i = startIndex
        while i < endIndex {
            let next = index(after: i)
            if self[i] == ":" && next < endIndex && self[next] == ":" {
                parts.append(self[start..<i])
                start = index(after: next)
                i = start
                continue
            }
            i = next
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}

/// An address block: `10.0.0.0/8`, `2001:db8::/32`, or a single address (full-length prefix).
public struct IPNetwork: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let prefixLength: Int

    /// Parses `ADDR` or `ADDR/LEN`. A v4-mapped IPv6 block is stored as the IPv4 block it covers.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let addrText = String(parts[0])
        guard let addr = IPAddress(addrText) else { return nil }
        var len = addr.bytes.count * 8
        if parts.count == 2 {
            guard let l = Int(parts[1]), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            let wasMapped = addrText.contains(":") && addr.isIPv4
            if wasMapped {
                guard l >= 96 && l <= 128 else { return nil }
                len = l - 96
            } else {
                guard l >= 0 && l <= len else { return nil }
                len = l
            }
        }
        self.address = addr
        self.prefixLength = len
    }

    public var description: String { "\(address)/\(prefixLength)" }

    /// Whether `ip` lies in this block (IPv4 never matches an IPv6 block and the other way round).
    public func contains(_ ip: IPAddress) -> Bool {
        guard ip.bytes.count == address.bytes.count else { return false }
        var bits = prefixLength
        var i = 0
        while bits > 0 {
            let mask: UInt8 = bits >= 8 ? 0xff : UInt8(truncatingIfNeeded: 0xff << (8 - bits))
            if ip.bytes[i] & mask != address.bytes[i] & mask { return false }
            bits -= 8
            i += 1
        }
        return true
    }
}
