import Glibc
import ScuteCore
import Synchronization

/// Where audits go: JSON lines on a file descriptor, with repeats aggregated, and an optional bounded
/// forensics ring of every launch and connection. Shared by the tracer and DNS threads.
package final class AuditSink: Sendable {
    private struct State {
        var aggregator: AuditAggregator
        var forensics: [AuditEvent] = []
        var forensicsNext = 0
    }

    private let fd: Int32
    private let listener: (@Sendable ([AuditEvent]) -> Void)?
    private let state: Mutex<State>
    package let identity: AppIdentity
    package let forensicsCapacity: Int

    /// Audits to `fd` (not closed by the sink; -1 for none) and to `listener` (the console uplink).
    package init(
        fd: Int32,
        identity: AppIdentity,
        window: Int64 = 10_000_000_000,
        forensicsCapacity: Int = 0,
        listener: (@Sendable ([AuditEvent]) -> Void)? = nil
    ) {
        self.fd = fd
        self.listener = listener
        self.identity = identity
        self.forensicsCapacity = forensicsCapacity
        self.state = Mutex(State(aggregator: AuditAggregator(window: window)))
    }

    /// Records an event (appID and container are filled in).
    package func record(_ event: AuditEvent) {
        var e = event
        e.appID = identity.appID
        e.container = identity.container
        let now = Sys.monotonic()
        let lines = state.withLock { s in s.aggregator.add(e, now: now) }
        emit(lines)
    }

    /// Writes summaries of closed aggregation windows (all when `force`).
    package func flush(force: Bool = false) {
        let now = Sys.monotonic()
        let lines = state.withLock { s in s.aggregator.flush(now: now, force: force) }
        emit(lines)
    }

    /// Adds an entry to the forensics ring (oldest dropped first).
    package func forensic(_ event: AuditEvent) {
        guard forensicsCapacity > 0 else { return }
        var e = event
        e.appID = identity.appID
        e.container = identity.container
        state.withLock { s in
            if s.forensics.count < forensicsCapacity {
                s.forensics.append(e)
            } else {
                s.forensics[s.forensicsNext] = e
            }
            s.forensicsNext = (s.forensicsNext + 1) % forensicsCapacity
        }
    }

    /// The forensics ring, oldest first.
    package var forensicRecords: [AuditEvent] {
        state.withLock { s in
            s.forensics.count < forensicsCapacity ? s.forensics : Array(s.forensics[s.forensicsNext...] + s.forensics[..<s.forensicsNext])
        }
    }

    private func emit(_ events: [AuditEvent]) {
        guard !events.isEmpty else { return }
        listener?(events)
        guard fd >= 0 else { return }
        var text = ""
        for e in events { text += e.jsonLine }
        Sys.writeAll(fd, Array(text.utf8))
    }
}
