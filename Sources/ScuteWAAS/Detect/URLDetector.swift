/// URLs inside inputs: remote inclusion (foreign code by IP, odd schemes, `?` truncation) and server-side
/// request forgery (loopback, metadata and container hosts, obfuscated IP literals, confusing authorities).
enum URLDetector {
    static let includeSchemes: Set<[UInt8]> = Set(
        [
            "file", "ftp", "ftps", "sftp", "tftp", "gopher", "ldap", "ldaps", "dict", "jar", "netdoc", "local_file", "smb",
            "nfs", "rmi", "imap", "pop3", "irc", "telnet", "ssh", "expect",
        ].map { Array($0.utf8) }
    )

    static let internalSuffixes: [[UInt8]] = [
        ".internal", ".localhost", ".localdomain", ".local", ".lvh.me", ".localtest.me", ".nip.io", ".xip.io", ".sslip.io",
        ".svc", ".cluster.local", ".svc.cluster.local",
    ].map { Array($0.utf8) }

    static let internalNames: Set<[UInt8]> = Set(
        [
            "localhost", "localhost4", "localhost6", "localhost.localdomain", "localhost4.localdomain4", "localhost6.localdomain6",
            "lvh.me", "localtest.me", "metadata", "instance-data", "kubernetes", "kubernetes.default", "ip6-localhost", "ip6-loopback",
        ].map { Array($0.utf8) }
    )

    static func detect(_ value: NormalizedValue, source: InputSource) -> DetectorHit? {
        let text = value.lower
        guard text.count >= 5 else { return nil }
        if source != .path, let hit = schemeless(text) { return hit }
        guard text.contains(UInt8(ascii: ":")) else { return nil }
        var from = 0
        while let colon = text[from...].firstIndex(of: UInt8(ascii: ":")) {
            from = colon + 1
            var schemeStart = colon
            while schemeStart > 0,
                ByteClass.isLetter(text[schemeStart - 1]) || ByteClass.isDigit(text[schemeStart - 1])
                    || text[schemeStart - 1] == UInt8(ascii: "_") || text[schemeStart - 1] == UInt8(ascii: "+")
            {
                schemeStart -= 1
            }
            let scheme = text[schemeStart..<colon]
            guard scheme.count >= 2, !ByteClass.isDigit(scheme.first!) else { continue }
            let slashes = colon + 2 < text.count && text[colon + 1] == UInt8(ascii: "/") && text[colon + 2] == UInt8(ascii: "/")
            if includeSchemes.contains(Array(scheme)) {
                if slashes || scheme.elementsEqual("jar".utf8) || scheme.elementsEqual("file".utf8) {
                    if source == .path && !scheme.elementsEqual("file".utf8) { continue }
                    return DetectorHit(.rfiScheme, schemeStart, min(colon + 24, text.count))
                }
                continue
            }
            guard scheme.elementsEqual("http".utf8) || scheme.elementsEqual("https".utf8) else { continue }
            if let hit = httpURL(text, schemeStart: schemeStart, colon: colon, slashes: slashes, source: source) { return hit }
        }
        return nil
    }

    private static func httpURL(_ text: [UInt8], schemeStart: Int, colon: Int, slashes: Bool, source: InputSource) -> DetectorHit? {
        var start = colon + 1
        if slashes { start += 2 } else if start < text.count, text[start] == UInt8(ascii: "/") { start += 1 }
        var end = start
        while end < text.count, text[end] != UInt8(ascii: "/"), text[end] != UInt8(ascii: "?"), text[end] != 0x0A, text[end] != 0x0D {
            if text[end] == UInt8(ascii: "#") && !text[end...].contains(UInt8(ascii: "@")) { break }
            end += 1
        }
        var authority = text[start..<end]
        let hitEnd = min(end + 16, text.count)
        if authority.isEmpty { return nil }
        // A URL that ends in `?`: whatever the application appends becomes a query string.
        if source != .path && source != .header, let last = text.lastIndex(where: { !ByteClass.isSpace($0) }), text[last] == UInt8(ascii: "?"),
            !text[start..<last].contains(UInt8(ascii: " "))
        {
            return DetectorHit(.rfiTrailingQuestion, schemeStart, last + 1)
        }
        // `http://example.com%2f:x@evil.com/`: userinfo after an encoded slash moves the real host.
        if !authority.contains(UInt8(ascii: "@")), end < text.count, text[end] == UInt8(ascii: "/") {
            let segmentEnd = text[(end + 1)...].firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) ?? text.count
            let segment = text[(end + 1)..<segmentEnd]
            if segment.contains(UInt8(ascii: "@")) && segment.contains(UInt8(ascii: ":")) {
                return DetectorHit(.ssrfConfusingURL, schemeStart, hitEnd)
            }
        }
        let ats = authority.filter { $0 == UInt8(ascii: "@") }.count
        if authority.contains(UInt8(ascii: "\\")) || ats > 1
            || (ats == 1 && (authority.contains(UInt8(ascii: " ")) || authority.contains(UInt8(ascii: "#"))))
        {
            return DetectorHit(.ssrfConfusingURL, schemeStart, hitEnd)
        }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...] }
        if authority.contains(UInt8(ascii: " ")) { authority = authority[authority.startIndex..<authority.firstIndex(of: UInt8(ascii: " "))!] }
        var host = authority
        if host.first == UInt8(ascii: "[") {
            let close = host.firstIndex(of: UInt8(ascii: "]")) ?? host.endIndex
            let literal = host[host.index(after: host.startIndex)..<close]
            if literal.isEmpty { return nil }
            let isInternal =
                literal.starts(with: "::".utf8) || literal.firstIndex(ofBytesSlice: "ffff") != nil
                || literal.starts(with: "fe80".utf8) || literal.starts(with: "fc".utf8) || literal.starts(with: "fd".utf8)
                || literal.starts(with: "0:".utf8) || literal.last == UInt8(ascii: ":")
            return DetectorHit(isInternal ? .ssrfObfuscatedIP : .rfiIPHost, schemeStart, hitEnd)
        }
        if let portColon = host.lastIndex(of: UInt8(ascii: ":")) { host = host[host.startIndex..<portColon] }
        while host.last == UInt8(ascii: ".") { host = host.dropLast() }
        guard !host.isEmpty else { return nil }
        if host.contains(where: { $0 >= 0x80 }) { return DetectorHit(.ssrfConfusingURL, schemeStart, hitEnd) }
        switch classify(host) {
        case .internalName, .internalAddress: return DetectorHit(.ssrfInternalHost, schemeStart, hitEnd)
        case .obfuscatedAddress: return DetectorHit(.ssrfObfuscatedIP, schemeStart, hitEnd)
        case .publicAddress: return source == .header ? nil : DetectorHit(.rfiIPHost, schemeStart, hitEnd)
        case .name: return nil
        }
    }

    enum HostKind {
        case name
        case internalName
        case publicAddress
        case internalAddress
        case obfuscatedAddress
    }

    static func classify(_ host: ArraySlice<UInt8>) -> HostKind {
        if internalNames.contains(Array(host)) { return .internalName }
        for suffix in internalSuffixes where host.count > suffix.count && host.suffix(suffix.count).elementsEqual(suffix) {
            return .internalName
        }
        let parts = host.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        let numeric = parts.allSatisfy { part in
            !part.isEmpty
                && (part.allSatisfy(ByteClass.isDigit)
                    || (part.count > 2 && part.starts(with: "0x".utf8) && part.dropFirst(2).allSatisfy(ByteClass.isHex)))
        }
        guard numeric else { return .name }
        // Dotted decimal without leading zeros is the only form people write.
        let plain =
            parts.count == 4
            && parts.allSatisfy { $0.allSatisfy(ByteClass.isDigit) && ($0.count == 1 || $0.first != UInt8(ascii: "0")) && $0.count <= 3 }
        guard plain else { return parts.count == 1 && parts[0].count < 8 ? .name : .obfuscatedAddress }
        let octets = parts.map { part in part.reduce(0) { $0 * 10 + Int($1 - 48) } }
        guard octets.allSatisfy({ $0 < 256 }) else { return .obfuscatedAddress }
        switch (octets[0], octets[1]) {
        case (127, _), (10, _), (0, _), (169, 254), (192, 168), (100, 64...127): return .internalAddress
        case (172, 16...31): return .internalAddress
        case (192, 0) where octets[2] == 0: return .internalAddress
        default: return .publicAddress
        }
    }

    /// `localhost/`, `host.docker.internal/` at the start of a value, without a scheme.
    private static func schemeless(_ text: [UInt8]) -> DetectorHit? {
        var end = 0
        while end < text.count, ByteClass.isWord(text[end]) || text[end] == UInt8(ascii: ".") || text[end] == UInt8(ascii: "-") { end += 1 }
        guard end > 0, end < text.count, text[end] == UInt8(ascii: "/") || text[end] == UInt8(ascii: ":") else { return nil }
        if text[end] == UInt8(ascii: ":"), end + 1 < text.count, text[end + 1] == UInt8(ascii: "/") { return nil }
        let host = text[0..<end]
        switch classify(host) {
        case .internalName, .internalAddress, .obfuscatedAddress:
            return host.contains(UInt8(ascii: ".")) || internalNames.contains(Array(host))
                ? DetectorHit(.ssrfInternalHost, 0, min(end + 16, text.count)) : nil
        default:
            return nil
        }
    }
}

extension ArraySlice where Element == UInt8 {
    func firstIndex(ofBytesSlice pattern: String) -> Int? {
        Array(self).firstIndex(ofBytes: Array(pattern.utf8))
    }
}
