/// What the proxy does when a category's rule fires; ordered from the mildest to the strictest.
package enum WAASEffect: String, Sendable, Codable, CaseIterable, Comparable {
    /// The category's detectors do not run.
    case disable
    /// The request goes on to the app; an event is recorded.
    case alert
    /// The request is answered with 403 and the block page; an event is recorded.
    case prevent
    /// Like prevent, and the client address is refused for the policy's ban duration.
    case ban

    private var rank: Int {
        switch self {
        case .disable: 0
        case .alert: 1
        case .prevent: 2
        case .ban: 3
        }
    }

    package static func < (lhs: WAASEffect, rhs: WAASEffect) -> Bool { lhs.rank < rhs.rank }

    /// True when the request must not reach the app.
    package var blocks: Bool { self >= .prevent }
}
