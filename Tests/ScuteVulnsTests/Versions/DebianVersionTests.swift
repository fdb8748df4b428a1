import Testing

@testable import ScuteVulns

@Suite struct DebianVersionTests {
    static let vectors: [VersionVector] = [
        .init("1.0", "1.0", 0),
        .init("1.0", "1.1", -1),
        .init("1.10", "1.9", 1),
        .init("10", "9", 1),
        .init("1.001", "1.1", 0),
        .init("1.0.0", "1.0", 1),
        .init("1.0", "1.0-0", 0),
        .init("1.0-1", "1.0-01", 0),
        .init("1.0-2", "1.0-10", -1),
        .init("1.0~rc1", "1.0", -1),
        .init("1.0~rc1", "1.0~rc2", -1),
        .init("1.0~~", "1.0~", -1),
        .init("1.0~", "1.0", -1),
        .init("1.0~beta1+dfsg", "1.0", -1),
        .init("0.9.8~git20200101", "0.9.8", -1),
        .init("1.0+b1", "1.0", 1),
        .init("1.0+dfsg", "1.0", 1),
        .init("1.0a", "1.0", 1),
        .init("1.0a", "1.0+", -1),
        .init("1.0a", "1.0b", -1),
        .init("1.0.1", "1.0a", 1),
        .init("1.2.13.dfsg-1", "1.2.13+dfsg-1", 1),
        .init("1.0-1", "1.0.1-1", -1),
        .init("1.0-1-1", "1.0-1", 1),
        .init("1:1.0", "2.0", 1),
        .init("0:1.0", "1.0", 0),
        .init("1:0", "0:999", 1),
        .init("2:8.2.2434-3+deb11u1", "2:9.0.1378-2", -1),
        .init("2.38.1-5+b1", "2.38.1-5", 1),
        .init("2.38.1-5", "2.38.1-5+deb12u1", -1),
        .init("1:2.38.1-5+b1", "2.38.1-5+deb12u1", 1),
        .init("2.38.1-5+deb12u1", "2.38.1-5+deb12u2", -1),
        .init("7.88.1-10+deb12u5", "7.88.1-10+deb12u12", -1),
        .init("1.2.3-1~deb11u1", "1.2.3-1", -1),
        .init("1.2.3-1~deb11u1", "1.2.3-1~deb12u1", -1),
        .init("3.0.2-0ubuntu1.10", "3.0.2-0ubuntu1.9", 1),
        .init("2.36.1-8+deb11u1", "2.36.1-8+deb11u2", -1),
        .init("9.99999999999999999999999", "9.99999999999999999999998", 1),
        .init("1.0-1+b1", "1.0-1.1", -1),
        .init("a", "b", -1),
    ]

    @Test(arguments: vectors) func ordering(_ vector: VersionVector) {
        vector.check(.debian)
    }

    @Test(.enabled(if: Oracle.executable("dpkg") != nil, "dpkg is not installed: the vectors are not checked against it"))
    func dpkgAgrees() throws {
        let verdicts = try #require(try Oracle.dpkg(Self.vectors.map(\.pair)))
        VersionVector.expectAgreement(Self.vectors, verdicts, tool: "dpkg --compare-versions")
    }

    @Test(arguments: ["", "1:", ":1", "x:1", "1.0-", "1.0 2", "1:-1"])
    func rejectsWhatDpkgRejects(_ version: String) {
        #expect(DebianVersion(version) == nil)
        #expect(VersionScheme.debian.compare(version, "1.0") == nil)
    }

    @Test func upstreamWithoutEpochAndRevision() throws {
        #expect(try #require(DebianVersion("1:2.38.1-5+b1")).upstreamVersion == "2.38.1")
        #expect(try #require(DebianVersion(" 1.0 ")) == DebianVersion("1.0"))
    }
}
