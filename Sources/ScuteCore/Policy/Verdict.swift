/// The kind of finding an audit reports.
public enum AttackType: String, Sendable, Equatable, CaseIterable {
    case explicitlyDeniedProcess
    case notAllowedProcess
    case cryptoMiner
    /// A package's binary whose content differs from what the package installed.
    case modifiedBinary
    case explicitlyDeniedDNS
    case notAllowedDNS
    case explicitlyDeniedIP
    case notAllowedIP
    case deniedOutboundPort
    case notAllowedOutboundPort
    case deniedListeningPort
    case notAllowedListeningPort
    /// The defender could not trace the app (no SYS_PTRACE, seccomp refused).
    case tracingUnavailable
    /// A check could not run (no descriptor left, unreadable memory, a process gone): the call was refused.
    case checkFailed
    /// Traffic to a DNS port that is not a well-formed DNS query.
    case malformedDNS
    /// The defender's own state (spool, cached policy, identity) was changed by someone else, or is
    /// writable by the app.
    case defenderTampering
}

/// A policy decision: a value, not an error. `allow` carries no finding.
public struct Verdict: Sendable, Equatable {
    public enum Action: String, Sendable, Equatable {
        case allow
        case alert
        case prevent
    }

    public var action: Action
    /// The rule that produced the finding.
    public var rule: String?
    public var attackType: AttackType?
    public var message: String

    public init(action: Action, rule: String?, attackType: AttackType?, message: String) {
        self.action = action
        self.rule = rule
        self.attackType = attackType
        self.message = message
    }

    public static let allow = Verdict(action: .allow, rule: nil, attackType: nil, message: "")

    /// Whether the action must be refused.
    public var prevents: Bool { action == .prevent }

    static func finding(_ effect: Effect, rule: String, _ type: AttackType, _ message: String) -> Verdict {
        switch effect {
        case .disable: return .allow
        case .alert: return Verdict(action: .alert, rule: rule, attackType: type, message: message)
        case .prevent: return Verdict(action: .prevent, rule: rule, attackType: type, message: message)
        }
    }
}
