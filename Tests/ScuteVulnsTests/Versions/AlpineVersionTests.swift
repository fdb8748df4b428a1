import Testing

@testable import ScuteVulns

/// No apk on a Debian machine: these vectors follow the rules of current apk-tools (2.14, 3).
@Suite struct AlpineVersionTests {
    static let vectors: [VersionVector] = [
        .init("1.0", "1.0", 0),
        .init("1.0", "1.0-r1", -1),
        .init("1.0-r0", "1.0", 1),
        .init("1.0-r1", "1.0-r2", -1),
        .init("1.0-r10", "1.0-r9", 1),
        .init("1.0_alpha", "1.0_beta", -1),
        .init("1.0_beta", "1.0_pre", -1),
        .init("1.0_pre", "1.0_rc", -1),
        .init("1.0_rc", "1.0", -1),
        .init("1.0", "1.0_cvs", -1),
        .init("1.0_cvs", "1.0_svn", -1),
        .init("1.0_svn", "1.0_git", -1),
        .init("1.0_git", "1.0_hg", -1),
        .init("1.0_hg", "1.0_p", -1),
        .init("1.0_p1", "1.0_p2", -1),
        .init("1.0_rc1", "1.0_rc2", -1),
        .init("1.0_alpha2", "1.0_alpha10", -1),
        .init("1.0_p1", "1.0-r5", 1),
        .init("1.0_rc1", "1.0-r1", -1),
        .init("1.0_rc", "1.0_rc0", -1),
        .init("1.0~abc", "1.0~abd", -1),
        .init("1.0~abc-r1", "1.0-r1", 1),
        .init("1.0a", "1.0", 1),
        .init("1.0a", "1.0b", -1),
        .init("1.0a", "1.0.1", -1),
        .init("1.0", "1.0.0", -1),
        .init("1.2", "1.10", -1),
        .init("1.01", "1.1", -1),
        .init("1.0", "1.01", -1),
        .init("1.09", "1.1", -1),
        .init("2.34", "0.1.0_alpha", 1),
        .init("0.1.0_alpha", "0.1.3_alpha", -1),
        .init("0.1.0_alpha2", "0.1.0_alpha", 1),
        .init("3.0.12-r0", "3.0.12-r1", -1),
        .init("1.36.1-r2", "1.36.1-r15", -1),
        .init("8.5.0-r0", "8.4.0-r1", 1),
        .init("1.0_p1-r1", "1.0_p1-r0", 1),
        .init("2.9.14-r0", "2.10.1-r0", -1),
        .init("1.1.1t-r0", "1.1.1u-r0", -1),
        .init("1.1.1t-r2", "1.1.1t-r1", 1),
        .init("1.2.3_git20230101-r0", "1.2.3-r0", 1),
        .init("1.2.3_rc1_p2", "1.2.3_rc1_p1", 1),
    ]

    @Test(arguments: vectors) func ordering(_ vector: VersionVector) {
        vector.check(.alpine)
    }

    @Test(arguments: ["", "a1", "1.0-r", "1.0_foo", "1.0A", "1.0.", "1.0~xyz", "1.0-1", "1.0_", "1.2a3", "1.0-r1_p1"])
    func rejectsWhatApkRejects(_ version: String) {
        #expect(AlpineVersion(version) == nil)
    }
}
