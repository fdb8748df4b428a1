import Testing

@testable import ScuteVulns

/// One ordering fact: `lhs` compared with `rhs` gives `expected` (-1, 0 or 1).
struct VersionVector: Sendable, CustomTestStringConvertible {
    let lhs: String
    let rhs: String
    let expected: Int

    init(_ lhs: String, _ rhs: String, _ expected: Int) {
        self.lhs = lhs
        self.rhs = rhs
        self.expected = expected
    }

    var testDescription: String { "\(lhs) \(["<", "=", ">"][expected + 1]) \(rhs)" }

    var pair: Oracle.Pair { (lhs, rhs) }

    /// Checks the scheme both ways round.
    func check(_ scheme: VersionScheme, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(scheme.compare(lhs, rhs) == expected, "\(testDescription)", sourceLocation: sourceLocation)
        #expect(scheme.compare(rhs, lhs) == -expected, "reversed: \(testDescription)", sourceLocation: sourceLocation)
    }

    /// Checks that an ecosystem's own tool gave the vectors' verdicts, naming each pair it disagrees on.
    static func expectAgreement(_ vectors: [VersionVector], _ verdicts: [Int], tool: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(verdicts.count == vectors.count, "\(tool) answered \(verdicts.count) of \(vectors.count) pairs", sourceLocation: sourceLocation)
        for (vector, verdict) in zip(vectors, verdicts) where verdict != vector.expected {
            Issue.record("\(tool) says \(vector.lhs) vs \(vector.rhs) is \(verdict), vector says \(vector.expected)", sourceLocation: sourceLocation)
        }
    }
}
