/// Counts failed logins per user name; after `limit` failures within `window` seconds, further attempts are
/// refused (429) until the window has passed, whatever the password.
actor LoginThrottle {
    private var failures: [String: [Int64]] = [:]
    private let limit: Int
    private let window: Int64

    init(limit: Int, window: Int64) {
        self.limit = limit
        self.window = window
    }

    /// Seconds to wait before trying again, or nil when an attempt may go ahead.
    func retryAfter(_ name: String, now: Int64) -> Int64? {
        let recent = (failures[name] ?? []).filter { $0 > now - window }
        failures[name] = recent.isEmpty ? nil : recent
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        return max(1, oldest + window - now)
    }

    func failed(_ name: String, now: Int64) {
        failures[name, default: []].append(now)
        if failures.count > 100_000 { failures.removeAll() }
    }

    func succeeded(_ name: String) { failures[name] = nil }
}
