/// How a defender starts its app before the console has answered, chosen at embed time
/// (`--startup-mode`, `SCUTE_STARTUP_MODE` in the protected container).
public enum StartupMode: String, Sendable, Equatable, CaseIterable {
    /// The app starts at once on the cached policy, the policy file or the default; the console's policy
    /// replaces it when it arrives. A console outage never stops a task from starting.
    case availability
    /// The app starts only once this run of the defender has the console's policy; without it the defender
    /// refuses to start the app. A task never runs on a stale or default policy.
    case security

    /// The variable the embedders set in each protected container and the defender reads.
    public static let variable = "SCUTE_STARTUP_MODE"

    /// Parses a mode given as `source` (an option or a variable), with an error naming it and both values.
    public init(parsing text: String, source: String) throws(StartupModeError) {
        guard let mode = StartupMode(rawValue: text) else { throw StartupModeError(source: source, value: text) }
        self = mode
    }
}

/// A startup mode that is neither `availability` nor `security`.
public struct StartupModeError: Error, Equatable, CustomStringConvertible {
    /// The option or variable that held the value (`--startup-mode`, `SCUTE_STARTUP_MODE`).
    public let source: String
    public let value: String

    public var description: String {
        "\(source): expected \(StartupMode.allCases.map(\.rawValue).joined(separator: " or ")), got \"\(value)\""
    }
}
