import Testing

@testable import ScuteVulns

@Suite struct RPMVersionTests {
    static let vectors: [VersionVector] = [
        .init("1.0", "1.0", 0),
        .init("1.0", "2.0", -1),
        .init("2.0.1", "2.0.1", 0),
        .init("2.0", "2.0.1", -1),
        .init("2.0.1a", "2.0.1", 1),
        .init("5.5p1", "5.5p2", -1),
        .init("5.5p10", "5.5p1", 1),
        .init("10xyz", "10.1xyz", -1),
        .init("xyz10", "xyz10.1", -1),
        .init("xyz.4", "8", -1),
        .init("xyz.4", "2", -1),
        .init("5.5p2", "5.6p1", -1),
        .init("6.0.rc1", "6.0", 1),
        .init("10b2", "10a1", 1),
        .init("1.0aa", "1.0aaa", -1),
        .init("10.0001", "10.1", 0),
        .init("10.0001", "10.0039", -1),
        .init("4.999.9", "5.0", -1),
        .init("20101121", "20101120", 1),
        .init("2.0", "2_0", 0),
        .init("1.0~rc1", "1.0", -1),
        .init("1.0~rc1", "1.0~rc2", -1),
        .init("1.0~rc1~git123", "1.0~rc1", -1),
        .init("1.0^", "1.0", 1),
        .init("1.0^git1", "1.0", 1),
        .init("1.0^git1", "1.01", -1),
        .init("1.0^20160101", "1.0.1", -1),
        .init("1.0~rc1^git1", "1.0~rc1", 1),
        .init("1.0^git1~pre", "1.0^git1", -1),
        .init("1:1.0", "2.0", 1),
        .init("0:1.0", "1.0", 0),
        .init("2:1.0", "1:9.9", 1),
        .init("1.0-1", "1.0-2", -1),
        .init("1.0-2", "1.0-10", -1),
        .init("1.0-1.el8", "1.0-1.el9", -1),
        .init("1.0-1", "1.0", 1),
        .init("2.4.37-43.module+el8.5.0+13064+c4b14587", "2.4.37-47.module+el8.6.0+14529+52ca5ae1", -1),
        .init("1.1.1k-7.el8_6", "1.1.1k-12.el8_9", -1),
        .init("3.0.7-24.el9", "1:3.0.7-25.el9_3", -1),
    ]

    @Test(arguments: vectors) func ordering(_ vector: VersionVector) {
        vector.check(.rpm)
    }

    @Test(.enabled(if: Oracle.executable("rpm") != nil, "rpm is not installed (apt-get install rpm): the vectors are not checked against rpm.vercmp"))
    func rpmAgrees() throws {
        let verdicts = try #require(try Oracle.rpm(Self.vectors.map(\.pair)))
        VersionVector.expectAgreement(Self.vectors, verdicts, tool: "rpm.vercmp")
    }

    @Test(arguments: ["", "1:", "5:-1"])
    func rejectsAnEmptyVersion(_ version: String) {
        #expect(RPMVersion(version) == nil)
    }
}
