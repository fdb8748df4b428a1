/// A detector's answer: the rule and where in the inspected text it matched.
struct DetectorHit: Sendable {
    var rule: WAASRule
    var start: Int
    var end: Int
    /// The text `start..<end` refers to when it is not the input's normalised text (e.g. deobfuscated shell).
    var text: [UInt8]?

    init(_ rule: WAASRule, _ start: Int, _ end: Int, text: [UInt8]? = nil) {
        self.rule = rule
        self.start = start
        self.end = end
        self.text = text
    }
}
