import CScuteSys
import Glibc
import ScuteCore

/// Whether the app may start, as the console link decided before it.
package enum StartupDecision: Sendable, Equatable {
    case start
    /// The app is not started: the defender says `reason` and exits with `status`.
    case refuse(reason: String, status: Int32)
}

/// The wait for the console's first policy before the app starts, by startup mode:
/// - availability: at most `bound` seconds (none unless SCUTE_POLICY_WAIT is set), then the app starts on
///   whatever policy is in force;
/// - security: until the console's policy has arrived, saying so every `interval` seconds; past `bound` (when
///   set), or when the container is asked to stop meanwhile, the app is refused rather than run without it.
package struct StartupWait: Sendable {
    package var mode: StartupMode
    /// The longest wait in seconds; nil waits as long as it takes (security without SCUTE_POLICY_WAIT).
    package var bound: Double?
    /// Where the policy should come from, for the messages: the console's address, or the sidecar's relay.
    package var source: String
    /// Seconds between two "waiting" lines in security mode.
    package var interval: Double = 10
    /// How often the condition is checked, in microseconds.
    package var poll: UInt32 = 20_000

    package init(mode: StartupMode, bound: Double?, source: String) {
        self.mode = mode
        self.bound = bound
        self.source = source
    }

    /// The message security mode repeats while it waits.
    package static let waitingMessage = "waiting for the console's policy (security startup mode)"

    /// Waits until `arrived()` holds, as the mode says; `say` gets the lines meant for standard error.
    package func run(arrived: () -> Bool, say: (String) -> Void = { Sys.warn($0) }) -> StartupDecision {
        let start = Sys.monotonic()
        let deadline = bound.map { start + Int64($0 * 1e9) }
        switch mode {
        case .availability:
            while !arrived() {
                guard let deadline, Sys.monotonic() < deadline else { break }
                usleep(poll)
            }
            return .start
        case .security:
            var nextLine = start
            while !arrived() {
                let now = Sys.monotonic()
                if now >= nextLine {
                    say("scute: \(Self.waitingMessage) from \(source)")
                    nextLine = now + Int64(interval * 1e9)
                }
                if let deadline, now >= deadline {
                    return .refuse(
                        reason:
                            "security startup mode: no policy from the console (\(source)) within \(Self.seconds(bound ?? 0)) "
                            + "(SCUTE_POLICY_WAIT)",
                        status: 2
                    )
                }
                if let signal = Self.pendingStopSignal() {
                    return .refuse(
                        reason: "security startup mode: asked to stop (signal \(signal)) while waiting for the console's policy",
                        status: 128 + signal
                    )
                }
                usleep(poll)
            }
            return .start
        }
    }

    /// A stop request (TERM, INT, HUP, QUIT) already sent to the defender: before the app starts nobody takes
    /// the signals it forwards (they are blocked in every thread), so they stay pending.
    static func pendingStopSignal() -> Int32? {
        var set = sigset_t()
        guard sigpending(&set) == 0 else { return nil }
        return [SIGTERM, SIGINT, SIGHUP, SIGQUIT].first { sigismember(&set, $0) == 1 }
    }

    static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : "\(value) s"
    }
}
