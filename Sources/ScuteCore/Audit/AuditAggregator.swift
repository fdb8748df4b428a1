/// Folds repeated identical events: the first of a kind is emitted at once; repeats within `window`
/// nanoseconds are counted and emitted as one record (with `count`) when the window closes. The sum of
/// `count` over emitted records equals the number of events added. Time is passed in, so tests need no clock.
public struct AuditAggregator: Sendable {
    private struct Pending {
        var event: AuditEvent
        var windowEnd: Int64
        var repeats: Int
    }

    public let window: Int64
    private var pending: [String: Pending] = [:]
    private var order: [String] = []

    public init(window: Int64 = 10_000_000_000) { self.window = window }

    /// Adds an event at time `now`; returns what to write now.
    public mutating func add(_ event: AuditEvent, now: Int64) -> [AuditEvent] {
        var out = flush(now: now)
        let key = event.aggregationKey
        if var p = pending[key] {
            p.repeats += 1
            p.event.time = event.time
            p.event.pid = event.pid
            p.event.ppid = event.ppid
            pending[key] = p
            return out
        }
        pending[key] = Pending(event: event, windowEnd: now + window, repeats: 0)
        order.append(key)
        var first = event
        first.count = 1
        out.append(first)
        return out
    }

    /// Emits the summaries of windows that closed by `now` (all of them when `force`).
    public mutating func flush(now: Int64, force: Bool = false) -> [AuditEvent] {
        var out: [AuditEvent] = []
        var keep: [String] = []
        for key in order {
            guard let p = pending[key] else { continue }
            if force || p.windowEnd <= now {
                pending[key] = nil
                if p.repeats > 0 {
                    var e = p.event
                    e.id = AuditEvent.newID()
                    e.count = p.repeats
                    e.msg = p.event.msg + " (repeated \(p.repeats) more times)"
                    out.append(e)
                }
            } else {
                keep.append(key)
            }
        }
        order = keep
        return out
    }

    /// The earliest time a pending window closes, if any.
    public var nextDeadline: Int64? { order.compactMap { pending[$0]?.windowEnd }.min() }
}
