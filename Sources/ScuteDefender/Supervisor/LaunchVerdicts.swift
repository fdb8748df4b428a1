import ScuteCore

/// Verdicts of recent launches under the rule in force. Shells, build tools and health-check loops run
/// the same command lines over and over, and judging one (every name against the lists, every argument
/// for miner markers) costs more than a lookup. A verdict depends on nothing but the launch and the rule.
struct LaunchVerdicts {
    private struct Key: Hashable {
        var path: String
        var aliases: [String]
        var otherPaths: [String]
        var arguments: [String]
        var sha256: String?
        var early: Bool
    }

    /// Bounded both ways: entries, and argument bytes per entry (a 64 KB command line is judged, not kept).
    static let capacity = 256
    static let argumentBytesLimit = 1024

    private var rule: Rule?
    private var verdicts: [Key: Verdict] = [:]

    mutating func verdict(_ launch: ProcessLaunch, rule: Rule, early: Bool) -> Verdict {
        // Equal rules share their storage until the policy is replaced, so this is cheap when nothing changed.
        if self.rule != rule {
            self.rule = rule
            verdicts.removeAll()
        }
        guard launch.arguments.reduce(0, { $0 + $1.utf8.count }) <= Self.argumentBytesLimit else {
            return early ? rule.evaluateEarly(launch) : rule.evaluate(launch)
        }
        let key = Key(
            path: launch.path,
            aliases: launch.aliases,
            otherPaths: launch.otherPaths,
            arguments: launch.arguments,
            sha256: launch.sha256,
            early: early
        )
        if let known = verdicts[key] { return known }
        let verdict = early ? rule.evaluateEarly(launch) : rule.evaluate(launch)
        if verdicts.count >= Self.capacity { verdicts.removeAll(keepingCapacity: true) }
        verdicts[key] = verdict
        return verdict
    }
}
