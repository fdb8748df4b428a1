import ScuteCore
import ScuteScan
import Synchronization

/// What the console's compliance rule for this defender asks the scan to run: the built-in checks it does
/// not ignore, and the custom checks (shell scripts) it sets to alert.
package struct ComplianceSettings: Sendable, Equatable {
    package struct CustomCheck: Sendable, Equatable {
        /// The check's number (9000 and up): the `check` of its finding.
        package var id: Int
        package var name: String
        package var script: String
        package var severity: Severity
        package var timeoutSeconds: Int

        package init(id: Int, name: String, script: String, severity: Severity, timeoutSeconds: Int) {
            self.id = id
            self.name = name
            self.script = script
            self.severity = severity
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// The console's rule that chose these settings, if any.
    package var rule: String?
    package var checks: Set<ComplianceCheck>
    package var customChecks: [CustomCheck]

    /// Without a console (or before it answers): every built-in check, no custom check.
    package static let builtIn = ComplianceSettings(rule: nil, checks: Set(ComplianceCheck.allCases), customChecks: [])

    package init(rule: String?, checks: Set<ComplianceCheck>, customChecks: [CustomCheck]) {
        self.rule = rule
        self.checks = checks
        self.customChecks = customChecks
    }

    /// Reads the `compliance` object the console sends next to the policy; nil when it is not one. Unknown
    /// built-in numbers are skipped; a custom check's timeout is kept within 1 to 300 seconds.
    package init?(json: JSONValue) {
        guard let o = json.objectValue, let list = o["checks"]?.arrayValue else { return nil }
        rule = o["rule"]?.stringValue
        checks = Set(list.compactMap { $0.intValue.flatMap(ComplianceCheck.init(rawValue:)) })
        customChecks = (o["customChecks"]?.arrayValue ?? []).compactMap { entry in
            guard let c = entry.objectValue, let id = c["id"]?.intValue, let script = c["script"]?.stringValue else { return nil }
            return CustomCheck(
                id: id,
                name: c["name"]?.stringValue ?? "Custom check \(id)",
                script: script,
                severity: c["severity"]?.stringValue.flatMap(Severity.init(rawValue:)) ?? .medium,
                timeoutSeconds: min(300, max(1, c["timeoutSeconds"]?.intValue ?? 30))
            )
        }
    }
}

/// The compliance settings in force; the link replaces them when the console sends new ones and the
/// ``ComplianceMonitor`` scans again when they change.
package final class LiveCompliance: Sendable {
    private let state = Mutex((settings: ComplianceSettings.builtIn, generation: 0))

    package init() {}

    /// The settings and how many times they changed.
    package var current: (settings: ComplianceSettings, generation: Int) { state.withLock { $0 } }

    /// Installs new settings; false when they are the ones in force.
    @discardableResult
    package func update(_ settings: ComplianceSettings) -> Bool {
        state.withLock { s in
            guard s.settings != settings else { return false }
            s = (settings, s.generation + 1)
            return true
        }
    }
}

extension ComplianceSettings.CustomCheck {
    /// The longest output excerpt a finding carries.
    static let detailLimit = 4096

    /// Runs the script (clean environment, its own process group, killed at the timeout); a finding unless it
    /// passed.
    func run() -> Finding? {
        let runner = CustomCheckRunner(timeoutMilliseconds: timeoutSeconds * 1000, outputLimit: 64 << 10)
        let result = runner.run(script: script)
        guard result.status != .passed else { return nil }
        var finding = Finding(.secretEnvironment, severity: severity, kind: result.status.rawValue)
        finding.check = id
        finding.title = name
        var detail: String
        switch result.status {
        case .failed: detail = result.exitCode.map { "exit status \($0)" } ?? "killed by a signal"
        case .timeout: detail = "timed out after \(timeoutSeconds) s"
        case .error, .passed: detail = "could not run"
        }
        let output = String(result.output.drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
        if !output.isEmpty {
            detail += ": " + String(output.utf8.count <= Self.detailLimit ? output : Self.prefix(output, bytes: Self.detailLimit) + "...")
        }
        finding.detail = detail
        return finding
    }

    /// The longest prefix of `text` within `bytes` UTF-8 bytes, on a character boundary.
    private static func prefix(_ text: String, bytes: Int) -> String {
        var count = 0
        var end = text.startIndex
        for index in text.indices {
            let size = text[index].utf8.count
            if count + size > bytes { break }
            count += size
            end = text.index(after: index)
        }
        return String(text[..<end])
    }
}
