import Testing

@testable import ScuteVulns

@Suite struct MavenVersionTests {
    static let vectors: [VersionVector] = [
        .init("1", "1.0", 0),
        .init("1", "1.0.0", 0),
        .init("1", "1-0", 0),
        .init("1", "1.0-0", 0),
        .init("1a", "1-a", 0),
        .init("1a", "1.0-a", 0),
        .init("1ga", "1", 0),
        .init("1release", "1", 0),
        .init("1final", "1", 0),
        .init("1GA", "1", 0),
        .init("1cr", "1rc", 0),
        .init("1a1", "1-alpha-1", 0),
        .init("1b2", "1-beta-2", 0),
        .init("1m3", "1-milestone-3", 0),
        .init("1X", "1x", 0),
        .init("1-alpha2snapshot", "1-alpha2", -1),
        .init("1-alpha2", "1-alpha-123", -1),
        .init("1-alpha-123", "1-beta-2", -1),
        .init("1-beta-2", "1-beta123", -1),
        .init("1-beta123", "1-m2", -1),
        .init("1-m2", "1-m11", -1),
        .init("1-m11", "1-rc", -1),
        .init("1-rc", "1-cr2", -1),
        .init("1-cr2", "1-rc123", -1),
        .init("1-rc123", "1-SNAPSHOT", -1),
        .init("1-SNAPSHOT", "1", -1),
        .init("1", "1-sp", -1),
        .init("1-sp", "1-sp2", -1),
        .init("1-sp123", "1-abc", -1),
        .init("1-abc", "1-def", -1),
        .init("1-def", "1-pom-1", -1),
        .init("1-1-snapshot", "1-1", -1),
        .init("1-1", "1-2", -1),
        .init("1-2", "1-123", -1),
        .init("2.0", "2-1", -1),
        .init("2.0.a", "2.0.0.a", 0),
        .init("1.0.RC1", "1.0-rc1", 0),
        .init("1.0.0-SNAPSHOT.2", "1.ga.2", 1),
        .init("2.0.2", "2.0.123", -1),
        .init("2.1-a", "2.1b", -1),
        .init("2.1-1", "2.1.0.1", -1),
        .init("2.2", "2.123", -1),
        .init("11.a2", "11.a11", -1),
        .init("11.m11", "11", -1),
        .init("11", "11.a", -1),
        .init("2.12.7.1", "2.12.7", 1),
        .init("5.3.18", "5.3.20", -1),
        .init("1.0.0.RELEASE", "1.0.0", 0),
        .init("2.0.0.RC1", "2.0.0", -1),
        .init("1.2.3-SNAPSHOT", "1.2.3", -1),
        .init("2.14.0-rc1", "2.14.0", -1),
        .init("9.4.51.v20230217", "9.4.52.v20230823", -1),
    ]

    @Test(arguments: vectors) func ordering(_ vector: VersionVector) {
        vector.check(.maven)
    }

    @Test(.enabled(if: Oracle.executable("java") != nil, "java is not installed: the vectors are not checked against Maven"))
    func mavenAgrees() throws {
        guard let verdicts = try Oracle.maven(Self.vectors.map(\.pair)) else {
            print("maven-artifact is not installed: the vectors are not checked against Maven's ComparableVersion")
            return
        }
        VersionVector.expectAgreement(Self.vectors, verdicts, tool: "Maven ComparableVersion")
    }

    @Test func anyNonEmptyStringIsAVersion() {
        #expect(MavenVersion("") == nil)
        #expect(MavenVersion("what-ever..version") != nil)
    }
}
