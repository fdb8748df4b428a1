import Testing

@testable import ScuteVulns

@Suite struct RubyGemsVersionTests {
    static let vectors: [VersionVector] = [
        .init("1.0", "1.0.0", 0),
        .init("1.0", "1", 0),
        .init("1.0.a", "1.0", -1),
        .init("1.0.a", "1.0.b", -1),
        .init("1.0.b1", "1.0.a2", 1),
        .init("1.0.0.pre", "1.0.0", -1),
        .init("1.0.0-rc1", "1.0.0", -1),
        .init("1.0.0-rc1", "1.0.0.pre.rc1", 0),
        .init("1.0.0-rc2", "1.0.0-rc1", 1),
        .init("1.8.2.a", "1.8.2", -1),
        .init("1.9.3", "1.10.0", -1),
        .init("2.0.0.beta1", "2.0.0.beta2", -1),
        .init("2.0.0.beta10", "2.0.0.beta9", 1),
        .init("2.0.0.rc1", "2.0.0.beta1", 1),
        .init("3.2.1", "3.2.1.rc1", 1),
        .init("0.9", "1.0.a", -1),
        .init("1.a", "1.0.a", 0),
        .init("1.0.0.1", "1.0", 1),
        .init("5.2.4.3", "5.2.4.4", -1),
        .init("6.0.3.7", "6.0.3.6", 1),
        .init("1.0.a10", "1.0.a2", 1),
        .init("1.0.a.1", "1.0.a1", 0),
        .init("1.0.b", "1.0.c", -1),
        .init("1.0.0.alpha", "1.0.0.beta", -1),
        .init("1.0.A", "1.0.a", -1),
        .init("2.6.0.preview2", "2.6.0", -1),
        .init("1.13.10", "1.13.9", 1),
        .init("7.0.8.1", "7.0.8", 1),
        .init("1.16.0.rc1", "1.15.5", 1),
        .init("0.0.1", "0.0.1.0.0", 0),
    ]

    @Test(arguments: vectors) func ordering(_ vector: VersionVector) {
        vector.check(.rubygems)
    }

    @Test(.enabled(if: Oracle.executable("ruby") != nil, "ruby is not installed: the vectors are not checked against Gem::Version"))
    func rubyGemsAgrees() throws {
        let verdicts = try #require(try Oracle.rubygems(Self.vectors.map(\.pair)))
        VersionVector.expectAgreement(Self.vectors, verdicts, tool: "Gem::Version")
    }

    @Test(arguments: ["junk", "1..2", "1.0-", "a1", "1a", "1.0_1", "1.0 2"])
    func rejectsWhatGemVersionRejects(_ version: String) {
        #expect(RubyGemsVersion(version) == nil)
    }
}
