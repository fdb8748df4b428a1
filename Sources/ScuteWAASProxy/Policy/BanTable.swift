import NIOCore
import Synchronization

/// Client addresses refused until a deadline; bounded: when full, expired entries go first, then the soonest to expire.
package final class BanTable: Sendable {
    private struct State {
        var until: [String: NIODeadline] = [:]
    }

    private let state = Mutex(State())
    /// Entries in the table, read without the lock so that the common case (no bans) costs one atomic load.
    private let count = Atomic<Int>(0)
    /// The most addresses kept.
    package let capacity: Int

    /// Makes an empty table holding at most `capacity` addresses.
    package init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// Refuses `address` until `deadline` (a later ban of the same address extends it).
    package func ban(_ address: String, until deadline: NIODeadline, now: NIODeadline) {
        state.withLock { state in
            if state.until[address] == nil && state.until.count >= capacity {
                state.until = state.until.filter { $0.value > now }
                if state.until.count >= capacity, let soonest = state.until.min(by: { $0.value < $1.value }) {
                    state.until[soonest.key] = nil
                }
            }
            state.until[address] = max(state.until[address] ?? deadline, deadline)
            count.store(state.until.count, ordering: .relaxed)
        }
    }

    /// True while `address` is refused; an expired entry is dropped on the way.
    package func isBanned(_ address: String, now: NIODeadline) -> Bool {
        guard count.load(ordering: .relaxed) > 0 else { return false }
        return state.withLock { state in
            guard let until = state.until[address] else { return false }
            if until > now { return true }
            state.until[address] = nil
            count.store(state.until.count, ordering: .relaxed)
            return false
        }
    }

    /// Addresses currently in the table (expired ones included until they are looked up or evicted).
    package var entryCount: Int { count.load(ordering: .relaxed) }
}
