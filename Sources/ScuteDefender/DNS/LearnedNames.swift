import ScuteCore
import Synchronization

/// Which names each address was resolved from, as the DNS forwarder saw the answers, until their TTLs run out.
package final class LearnedNames: Sendable {
    private struct Entry {
        var name: String
        var expires: Int64
    }

    private let table = Mutex<[IPAddress: [Entry]]>([:])
    /// Names kept per address; the oldest go first.
    private let perAddressLimit = 16

    package init() {}

    /// Records that `name` resolved to `ip` for `ttl` seconds (at least 60 s: apps cache longer than they should).
    package func learn(name: String, ip: IPAddress, ttl: UInt32, now: Int64) {
        let expires = now + Int64(max(ttl, 60)) * 1_000_000_000
        let n = DomainName.normalized(name)
        table.withLock { t in
            var list = (t[ip] ?? []).filter { $0.name != n && $0.expires > now }
            list.append(Entry(name: n, expires: expires))
            if list.count > perAddressLimit { list.removeFirst(list.count - perAddressLimit) }
            t[ip] = list
        }
    }

    /// The live names for an address.
    package func names(for ip: IPAddress, now: Int64) -> [String] {
        table.withLock { t in (t[ip] ?? []).filter { $0.expires > now }.map(\.name) }
    }
}
