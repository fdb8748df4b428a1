import Testing

@testable import ScuteVulns

@Suite struct SemanticVersionTests {
    /// SemVer 2.0.0 precedence, checked against node-semver.
    static let vectors: [VersionVector] = [
        .init("1.0.0", "2.0.0", -1),
        .init("2.0.0", "2.1.0", -1),
        .init("2.1.0", "2.1.1", -1),
        .init("10.0.0", "9.99.99", 1),
        .init("1.0.0-alpha", "1.0.0-alpha.1", -1),
        .init("1.0.0-alpha.1", "1.0.0-alpha.beta", -1),
        .init("1.0.0-alpha.beta", "1.0.0-beta", -1),
        .init("1.0.0-beta", "1.0.0-beta.2", -1),
        .init("1.0.0-beta.2", "1.0.0-beta.11", -1),
        .init("1.0.0-beta.11", "1.0.0-rc.1", -1),
        .init("1.0.0-rc.1", "1.0.0", -1),
        .init("1.0.0+build", "1.0.0", 0),
        .init("1.0.0+a", "1.0.0+b", 0),
        .init("1.0.0-rc.1+build.1", "1.0.0-rc.1", 0),
        .init("1.0.0-1", "1.0.0-a", -1),
        .init("1.0.0-2", "1.0.0-10", -1),
        .init("1.0.0-a10", "1.0.0-a2", -1),
        .init("1.0.0-A", "1.0.0-a", -1),
        .init("1.0.0-alpha-1", "1.0.0-alpha.1", 1),
        .init("0.0.0-20210101000000-abcdef123456", "0.0.0", -1),
        .init("0.0.0-20210101000000-abcdef123456", "0.0.0-20220101000000-abcdef123456", -1),
        .init("1.2.4-0.20210101000000-abcdef123456", "1.2.3", 1),
        .init("1.2.4-0.20210101000000-abcdef123456", "1.2.4", -1),
        .init("1.2.4-0.20210101000000-abcdef123456", "1.2.4-0.20210102000000-0123456789ab", -1),
        .init("1.2.3-pre.0.20210101000000-abcdef123456", "1.2.3-pre", 1),
        .init("v1.2.3", "1.2.3", 0),
        .init("4.17.20", "4.17.21", -1),
        .init("0.10.0", "0.9.0", 1),
        .init("1.0.0-x.7.z.92", "1.0.0-x.7.z.93", -1),
        .init("3.0.0-beta.0", "3.0.0-alpha.9", 1),
    ]

    /// What Go and OSV's tooling accept beyond strict SemVer.
    static let lenient: [VersionVector] = [
        .init("v2.0.0+incompatible", "2.0.0", 0),
        .init("v2.0.0+incompatible", "v2.0.1", -1),
        .init("1.2", "1.2.0", 0),
        .init("1", "1.0.0", 0),
        .init("=1.0.0", "1.0.0", 0),
        .init("v0.0.0-20210101000000-abcdef123456", "v0.1.0", -1),
        .init("01.2.3", "1.2.3", 0),
    ]

    @Test(arguments: vectors + lenient) func ordering(_ vector: VersionVector) {
        vector.check(.semver)
    }

    @Test(.enabled(if: Oracle.executable("node") != nil, "node is not installed: the vectors are not checked against node-semver"))
    func nodeSemverAgrees() throws {
        guard let verdicts = try Oracle.nodeSemver(Self.vectors.map(\.pair)) else {
            print("npm's semver module is not installed: the vectors are not checked against node-semver")
            return
        }
        VersionVector.expectAgreement(Self.vectors, verdicts, tool: "node-semver")
    }

    @Test(arguments: ["", "1.2.3.4", "a.b.c", "1.0.0-", "1.0.0-a..b", "1.0.0+", "x1.0.0", "1.0.0-é", "1..0"])
    func rejectsWhatSemVerRejects(_ version: String) {
        #expect(SemanticVersion(version) == nil)
    }
}
