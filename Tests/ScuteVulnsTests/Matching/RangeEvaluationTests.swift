import Testing

@testable import ScuteVulns

@Suite struct RangeEvaluationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let events: [OSVEvent]
        let installed: String
        let expected: RangeEvaluation.Outcome
        var testDescription: String { name }
    }

    static let semverCases: [Case] = [
        .init(name: "introduced 0 alone affects everything", events: [.init(.introduced, "0")], installed: "10.0.0", expected: .affected(fixed: nil)),
        .init(
            name: "inside [0, fixed)",
            events: [.init(.introduced, "0"), .init(.fixed, "2.0.0")],
            installed: "1.0.0",
            expected: .affected(fixed: "2.0.0")
        ),
        .init(name: "fixed is exclusive", events: [.init(.introduced, "0"), .init(.fixed, "2.0.0")], installed: "2.0.0", expected: .notAffected),
        .init(name: "introduced is inclusive", events: [.init(.introduced, "1.0.0")], installed: "1.0.0", expected: .affected(fixed: nil)),
        .init(name: "before introduced", events: [.init(.introduced, "1.0.0"), .init(.fixed, "1.5.0")], installed: "0.9.0", expected: .notAffected),
        .init(
            name: "last_affected is inclusive",
            events: [.init(.introduced, "0"), .init(.lastAffected, "1.2.3")],
            installed: "1.2.3",
            expected: .affected(fixed: nil)
        ),
        .init(
            name: "above last_affected",
            events: [.init(.introduced, "0"), .init(.lastAffected, "1.2.3")],
            installed: "1.2.4",
            expected: .notAffected
        ),
        .init(
            name: "second interval, fixed is the one above",
            events: [.init(.introduced, "1.0.0"), .init(.fixed, "1.0.2"), .init(.introduced, "3.0.0"), .init(.fixed, "3.2.5")],
            installed: "3.1.0",
            expected: .affected(fixed: "3.2.5")
        ),
        .init(
            name: "between intervals",
            events: [.init(.introduced, "1.0.0"), .init(.fixed, "1.0.2"), .init(.introduced, "3.0.0"), .init(.fixed, "3.2.5")],
            installed: "2.0.0",
            expected: .notAffected
        ),
        .init(
            name: "events out of order are sorted first",
            events: [.init(.fixed, "3.2.5"), .init(.introduced, "3.0.0"), .init(.fixed, "1.0.2"), .init(.introduced, "1.0.0")],
            installed: "1.0.1",
            expected: .affected(fixed: "1.0.2")
        ),
        .init(
            name: "below the limit",
            events: [.init(.introduced, "0"), .init(.limit, "2.0.0")],
            installed: "1.9.9",
            expected: .affected(fixed: nil)
        ),
        .init(name: "at the limit", events: [.init(.introduced, "0"), .init(.limit, "2.0.0")], installed: "2.0.0", expected: .notAffected),
        .init(
            name: "limit * is infinity",
            events: [.init(.introduced, "0"), .init(.limit, "*")],
            installed: "99.0.0",
            expected: .affected(fixed: nil)
        ),
        .init(
            name: "a pre-release of the fix is still affected",
            events: [.init(.introduced, "0"), .init(.fixed, "2.0.0")],
            installed: "2.0.0-rc.1",
            expected: .affected(fixed: "2.0.0")
        ),
        .init(
            name: "an event version that is not SemVer makes the range unreadable",
            events: [.init(.introduced, "0"), .init(.fixed, "release-2")],
            installed: "1.0.0",
            expected: .unreadable(version: "release-2")
        ),
    ]

    @Test(arguments: semverCases) func semverRange(_ scenario: Case) {
        let range = OSVRange(type: "SEMVER", events: scenario.events)
        #expect(RangeEvaluation.evaluate(range, installed: scenario.installed, scheme: .semver) == scenario.expected)
    }

    @Test func ecosystemRangesUseTheFamilysOrdering() {
        let entry = OSVAffected(
            ecosystem: "Debian:12",
            name: "foo",
            ranges: [OSVRange(type: "ECOSYSTEM", events: [.init(.introduced, "0"), .init(.fixed, "1.0-1")])]
        )
        // In SemVer "1.0~rc1" is not even a version; in Debian it sorts before 1.0-1.
        #expect(RangeEvaluation.evaluate(entry, installed: "1.0~rc1-1", scheme: .debian) == .affected(fixed: "1.0-1"))
        #expect(RangeEvaluation.evaluate(entry, installed: "1:0.1-1", scheme: .debian) == .notAffected)
    }

    @Test func versionsListAndGitRanges() {
        let entry = OSVAffected(
            ecosystem: "PyPI",
            name: "foo",
            ranges: [
                OSVRange(type: "GIT", events: [.init(.introduced, "0"), .init(.fixed, "abcdef0123")]),
                OSVRange(type: "ECOSYSTEM", events: [.init(.introduced, "2.0"), .init(.fixed, "2.1")]),
            ],
            versions: ["1.0", "1.1"]
        )
        // Listed, spelled differently: PEP 440 says 1.1.0 is 1.1; the fix is the smallest fixed above it.
        #expect(RangeEvaluation.evaluate(entry, installed: "1.1.0", scheme: .pep440) == .affected(fixed: "2.1"))
        // The GIT range alone would call 1.5 affected; it is ignored.
        #expect(RangeEvaluation.evaluate(entry, installed: "1.5", scheme: .pep440) == .notAffected)
        #expect(RangeEvaluation.evaluate(entry, installed: "2.0.1", scheme: .pep440) == .affected(fixed: "2.1"))
    }

    @Test func theSmallestFixOfSeveralMatchingRangesWins() {
        let entry = OSVAffected(
            ecosystem: "Maven",
            name: "g:a",
            ranges: [
                OSVRange(type: "ECOSYSTEM", events: [.init(.introduced, "0"), .init(.fixed, "2.15.0")]),
                OSVRange(type: "ECOSYSTEM", events: [.init(.introduced, "2.0"), .init(.fixed, "2.12.2")]),
            ]
        )
        #expect(RangeEvaluation.evaluate(entry, installed: "2.1", scheme: .maven) == .affected(fixed: "2.12.2"))
    }
}
