import Testing

@testable import ScuteVulns

@Suite struct PEP440VersionTests {
    static let vectors: [VersionVector] = [
        .init("1.0", "1.0.0", 0),
        .init("1.0", "1.0.1", -1),
        .init("2.0.0", "1.99.99", 1),
        .init("2012.04", "2012.3", 1),
        .init("1.0.0.0.0.1", "1.0", 1),
        .init("1.0a1", "1.0", -1),
        .init("1.0a1", "1.0b1", -1),
        .init("1.0b1", "1.0rc1", -1),
        .init("1.0c1", "1.0rc1", 0),
        .init("1.0rc1", "1.0", -1),
        .init("1.0.dev1", "1.0a1", -1),
        .init("1.0a1.dev1", "1.0a1", -1),
        .init("1.0.dev0", "1.0.dev1", -1),
        .init("0.9", "1.0.dev0", -1),
        .init("1.0", "1.0.post1", -1),
        .init("1.0.post1.dev1", "1.0.post1", -1),
        .init("1.0.post1", "1.0.1", -1),
        .init("1.1.dev1", "1.0.post1", 1),
        .init("1.0a1.post1", "1.0a1", 1),
        .init("1.0a1.post1", "1.0a2", -1),
        .init("1.0-1", "1.0.post1", 0),
        .init("1.0r1", "1.0.post1", 0),
        .init("1.0rev1", "1.0.post1", 0),
        .init("1.0.post", "1.0.post0", 0),
        .init("1!0.1", "2.0", 1),
        .init("1.0+local", "1.0", 1),
        .init("1.0+abc", "1.0+5", -1),
        .init("1.0+1.2", "1.0+1.10", -1),
        .init("1.0+abc.1", "1.0+abc.1.1", -1),
        .init("1.0+ubuntu.1", "1.0+ubuntu-1", 0),
        .init("1.0.post1", "1.0+abc", 1),
        .init("1.0ALPHA1", "1.0a1", 0),
        .init("v1.0", "1.0", 0),
        .init("1.0a", "1.0a0", 0),
        .init("1.0-a1", "1.0a1", 0),
        .init("1.0_a_1", "1.0a1", 0),
        .init("1.0.alpha.1", "1.0a1", 0),
        .init("1.0preview2", "1.0rc2", 0),
        .init("1.0-dev", "1.0.dev0", 0),
        .init("1.0rc1.dev2", "1.0rc1", -1),
    ]

    @Test(arguments: vectors) func ordering(_ vector: VersionVector) {
        vector.check(.pep440)
    }

    @Test(.enabled(if: Oracle.executable("python3") != nil, "python3 is not installed: the vectors are not checked against packaging"))
    func packagingAgrees() throws {
        guard let verdicts = try Oracle.packaging(Self.vectors.map(\.pair)) else {
            print("packaging is not installed for python3 (pip install packaging): the vectors are not checked against it")
            return
        }
        VersionVector.expectAgreement(Self.vectors, verdicts, tool: "packaging.version")
    }

    @Test(arguments: ["", "abc", "2004d", "1.0+", "1..0", "1.0+local_", "french toast", "1.0-beta-", "1.0.x"])
    func rejectsWhatPEP440Rejects(_ version: String) {
        #expect(PEP440Version(version) == nil)
    }
}
