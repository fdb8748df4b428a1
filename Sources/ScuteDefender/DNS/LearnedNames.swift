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
    /// Addresses kept at most. Past it, expired entries go first, then those whose names no denied
    /// entry protects: an app that floods the table with answers for names of its own must not push out
    /// the address of a name a rule denies (forgetting it would let the connection through).
    private let addressLimit: Int

    package init(addressLimit: Int = 16384) { self.addressLimit = addressLimit }

    /// Records that `name` resolved to `ip` for `ttl` seconds (at least 60 s: apps cache longer than they should).
    package func learn(name: String, ip: IPAddress, ttl: UInt32, now: Int64, isProtected: (String) -> Bool = { _ in false }) {
        let expires = now + Int64(max(ttl, 60)) * 1_000_000_000
        let n = DomainName.normalized(name)
        table.withLock { t in
            if t[ip] == nil && t.count >= addressLimit {
                t = t.filter { $0.value.contains { $0.expires > now } }
                if t.count >= addressLimit { t = t.filter { $0.value.contains { isProtected($0.name) } } }
                if t.count >= addressLimit && !isProtected(n) { return }
            }
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
