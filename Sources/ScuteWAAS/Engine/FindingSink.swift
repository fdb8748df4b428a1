/// Collects findings for one request: drops disabled categories and excepted findings, one per rule and location.
struct FindingSink {
    let configuration: WAASConfiguration
    let path: String
    private(set) var findings: [Finding] = []
    private var seen: Set<String> = []

    private let enabled: UInt32

    init(configuration: WAASConfiguration, path: String) {
        self.configuration = configuration
        self.path = path
        var enabled: UInt32 = 0
        for category in configuration.enabledCategories { enabled |= category.bit }
        self.enabled = enabled
    }

    var isFull: Bool { findings.count >= configuration.limits.maxFindings }

    @inline(__always) func wants(_ category: WAASCategory) -> Bool { enabled & category.bit != 0 }

    mutating func report(_ rule: WAASRule, location: String, text: [UInt8], start: Int, end: Int) {
        guard !isFull, wants(rule.category) else { return }
        let key = rule.id + "\u{0}" + location
        guard !seen.contains(key) else { return }
        let finding = Finding(category: rule.category, ruleID: rule.id, location: location, excerpt: Excerpt.make(text, start: start, end: end))
        for exception in configuration.exceptions where exception.matches(path: path, finding: finding) { return }
        seen.insert(key)
        findings.append(finding)
    }

    mutating func report(_ rule: WAASRule, location: String, excerpt: String) {
        report(rule, location: location, text: Array(excerpt.utf8), start: 0, end: excerpt.utf8.count)
    }
}
