import CScuteSys
import Glibc

/// A network call the tracer performed for a task on a blocking socket, waiting for the socket: the
/// task stays at its seccomp stop (as it would have blocked in the kernel) until `attempt` has a result.
struct HeldCall {
    let tid: Int32
    let socket: TraceeSocket
    /// What readiness means for this call (POLLOUT for connect and send).
    let events: Int16
    /// Monotonic deadline (SO_SNDTIMEO), Int64.max for none.
    let deadline: Int64
    /// What the task's call returns when the deadline passes.
    let timeoutResult: Int64
    /// The call's result once the socket is ready; nil to go on waiting.
    let attempt: () -> Int64?
}

/// The calls being held, bounded: a task cannot make the tracer hold sockets without limit.
struct HeldCalls {
    static let capacity = 256
    private(set) var calls: [HeldCall] = []

    var isEmpty: Bool { calls.isEmpty }
    var isFull: Bool { calls.count >= Self.capacity }

    mutating func add(_ call: HeldCall) { calls.append(call) }

    /// Drops a task's held call (the task is gone) and closes its socket.
    mutating func drop(tid: Int32) {
        calls.removeAll { c in
            guard c.tid == tid else { return false }
            c.socket.close()
            return true
        }
    }

    /// Removes and returns the calls whose socket is ready (per `revents`, in `calls` order) or whose
    /// deadline has passed, with the value each task's call returns.
    mutating func finished(revents: [Int16], now: Int64) -> [(tid: Int32, value: Int64)] {
        var done: [(Int32, Int64)] = []
        var keep: [HeldCall] = []
        for (i, c) in calls.enumerated() {
            var value: Int64?
            if i < revents.count && revents[i] != 0 { value = c.attempt() }
            if value == nil && now >= c.deadline { value = c.timeoutResult }
            if let value {
                c.socket.close()
                done.append((c.tid, value))
            } else {
                keep.append(c)
            }
        }
        calls = keep
        return done
    }

    /// Milliseconds until the nearest deadline, at most `cap`.
    func pollTimeout(now: Int64, cap: Int32) -> Int32 {
        guard let nearest = calls.map(\.deadline).min(), nearest != Int64.max else { return cap }
        return Int32(clamping: min(Int64(cap), max(0, (nearest - now) / 1_000_000 + 1)))
    }
}

extension Supervisor {
    /// How long a wait on held sockets lasts at most before looking for stops again, in case a SIGCHLD
    /// went to a thread that does not block it (the signalfd then misses it).
    static let holdPollCap: Int32 = 10

    /// waitpid while calls are held: returns a task's stop or exit (its tid, `status` set), 0 when only
    /// held calls moved on, or -1.
    func waitWhileHolding(_ status: inout Int32) -> Int32 {
        let r = scute_waitpid_all(-1, &status, 1)
        if r != 0 { return r }
        if childSignals < 0 { childSignals = scute_signalfd_child() }
        var fds = [pollfd(fd: childSignals, events: Int16(POLLIN), revents: 0)]
        fds += held.calls.map { pollfd(fd: $0.socket.fd, events: $0.events, revents: 0) }
        let cap = childSignals >= 0 ? Self.holdPollCap : 1
        _ = poll(&fds, nfds_t(fds.count), held.pollTimeout(now: Sys.monotonic(), cap: cap))
        if childSignals >= 0 && fds[0].revents != 0 { scute_drain_signalfd(childSignals) }
        for (tid, value) in held.finished(revents: fds.dropFirst().map(\.revents), now: Sys.monotonic()) {
            complete(tid, value)
        }
        return 0
    }

    /// Ends a task's call at its seccomp stop with `value` (a result or -errno) and resumes it.
    func complete(_ tid: Int32, _ value: Int64) {
        _ = scute_ptrace_skip_syscall(tid, Int(value))
        _ = scute_ptrace_cont(tid, 0)
    }
}
