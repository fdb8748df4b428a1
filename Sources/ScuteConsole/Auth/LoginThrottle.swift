/// Counts login attempts per user name and per client address. An attempt is reserved (counted as a failure)
/// before its password is checked, in one step with the check of the limits, so that a burst of parallel
/// guesses cannot all pass the check before the first failure is recorded. A successful login gives its
/// reservation back and clears the user's failures.
actor LoginThrottle {
    /// A reserved attempt, to give back when it succeeds.
    struct Reservation: Sendable {
        let name: String
        let address: String
        let time: Int64
    }

    private var byUser: [String: [Int64]] = [:]
    private var byAddress: [String: [Int64]] = [:]
    private let userLimit: Int
    private let addressLimit: Int
    private let window: Int64

    /// - Parameters:
    ///   - limit: attempts that may fail per user name within `window` seconds.
    ///   - addressLimit: attempts that may fail per client address (any user names) within the window.
    init(limit: Int, addressLimit: Int, window: Int64) {
        self.userLimit = limit
        self.addressLimit = addressLimit
        self.window = window
    }

    /// Reserves an attempt; `.failure` carries the seconds to wait when either limit is reached.
    func reserve(_ name: String, address: String, now: Int64) -> Result<Reservation, LoginThrottled> {
        let users = recent(byUser[name], now: now)
        let addresses = recent(byAddress[address], now: now)
        var wait: Int64 = 0
        if users.count >= userLimit, let oldest = users.first { wait = max(wait, oldest + window - now) }
        if addresses.count >= addressLimit, let oldest = addresses.first { wait = max(wait, oldest + window - now) }
        byUser[name] = users.isEmpty ? nil : users
        byAddress[address] = addresses.isEmpty ? nil : addresses
        if wait > 0 || users.count >= userLimit || addresses.count >= addressLimit { return .failure(LoginThrottled(seconds: max(1, wait))) }
        byUser[name, default: []].append(now)
        byAddress[address, default: []].append(now)
        // Bounded memory: a flood of distinct names or addresses forgets everything rather than grow.
        if byUser.count > 100_000 { byUser.removeAll() }
        if byAddress.count > 100_000 { byAddress.removeAll() }
        return .success(Reservation(name: name, address: address, time: now))
    }

    /// The attempt succeeded: it does not count against the address, and the user's failures are forgotten.
    func succeeded(_ reservation: Reservation) {
        byUser[reservation.name] = nil
        if var list = byAddress[reservation.address], let i = list.firstIndex(of: reservation.time) {
            list.remove(at: i)
            byAddress[reservation.address] = list.isEmpty ? nil : list
        }
    }

    private func recent(_ list: [Int64]?, now: Int64) -> [Int64] {
        (list ?? []).filter { $0 > now - window }
    }
}

/// Too many failed logins: wait `seconds`.
struct LoginThrottled: Error, Equatable {
    let seconds: Int64
}
