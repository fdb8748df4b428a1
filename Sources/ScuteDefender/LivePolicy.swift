import ScuteCore
import Synchronization

/// The rule the defender enforces now. The console can replace it while the app runs: the tracer and the
/// DNS forwarder read it at each decision, and the seccomp filter traps the same calls whatever the rule.
package final class LivePolicy: Sendable {
    /// One consistent view of the rule and what it needs judged.
    package struct Snapshot: Sendable {
        package var rule: Rule?
        /// Whether launches need judging at all (without, exec events cost one CONT).
        package var judgesProcesses: Bool
        package var judgesNetwork: Bool
        /// Whether DNS rules are in force (then the DNS redirect must not be raceable either).
        package var judgesDNS: Bool
        /// The console's policy version, 0 for a local file.
        package var version: Int64

        init(rule: Rule?, version: Int64) {
            self.rule = rule
            self.judgesProcesses =
                rule.map {
                    $0.processes.effect != .disable || $0.processes.cryptoMiners != .disable || $0.processes.modifiedBinaries != .disable
                } ?? false
            self.judgesNetwork = rule.map { $0.network.effect != .disable } ?? false
            self.judgesDNS = rule.map { $0.dns.effect != .disable } ?? false
            self.version = version
        }
    }

    private let state: Mutex<Snapshot>
    package let identity: AppIdentity

    package init(rule: Rule?, identity: AppIdentity, version: Int64 = 0) {
        self.identity = identity
        self.state = Mutex(Snapshot(rule: rule, version: version))
    }

    /// The policy's first rule that applies to this app.
    package convenience init(policy: Policy, identity: AppIdentity, version: Int64 = 0) {
        self.init(rule: policy.rule(for: identity), identity: identity, version: version)
    }

    package var snapshot: Snapshot { state.withLock { $0 } }
    package var rule: Rule? { state.withLock { $0.rule } }

    /// Replaces the policy; returns false when `version` is older than the one in force.
    @discardableResult
    package func update(_ policy: Policy, version: Int64) -> Bool {
        let next = Snapshot(rule: policy.rule(for: identity), version: version)
        return state.withLock { s in
            guard version >= s.version else { return false }
            s = next
            return true
        }
    }
}
