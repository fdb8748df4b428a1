/// The container's configured DNS servers, read once before the app starts (the app may rewrite
/// /etc/resolv.conf later; that does not make its server a trusted one).
enum ResolverConfiguration {
    /// The `nameserver` addresses of a resolv.conf.
    static func nameservers(_ file: [UInt8]?) -> [String] {
        guard let file else { return [] }
        return file.split(separator: 10).compactMap { line in
            let words = line.split(whereSeparator: { $0 == 32 || $0 == 9 }).map { String(decoding: $0, as: UTF8.self) }
            guard words.count >= 2, words[0] == "nameserver" else { return nil }
            // A scoped IPv6 address (fe80::1%eth0) names the address without its zone.
            return String(words[1].split(separator: "%").first ?? "")
        }
    }
}
