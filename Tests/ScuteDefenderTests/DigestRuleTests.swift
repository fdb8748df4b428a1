import Foundation
import ScuteCore
import Testing

/// Process rules by name are evaded by copying a binary under another name; rules by digest are not.
@Suite(.serialized) struct DigestRuleTests {
    static func sha256(_ path: String) throws -> String {
        let r = try Harness.run(["/usr/bin/sha256sum", path])
        return String(r.stdout.prefix(64))
    }

    /// Copies `source` to a fresh directory under `name`.
    static func copy(_ source: String, as name: String) throws -> String {
        let dir = Harness.tempPath("copies")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try FileManager.default.copyItem(atPath: source, toPath: path)
        return path
    }

    @Test func anAllowedListOfDigestsLetsOnlyThoseBinariesRunWhateverTheirName() throws {
        let approved = try Harness.markerProgram(name: "approved-tool")
        let renamed = try Self.copy(approved, as: "renamed-copy")
        let other = try Harness.compile(
            "other-binary",
            "#include <fcntl.h>\n#include <unistd.h>\nint main(int c, char **v) { close(open(v[1], O_CREAT | O_WRONLY, 0644)); return 7; }"
        )
        let digest = try Self.sha256(approved)
        let dash = try Self.sha256("/usr/bin/dash")
        let proofs = (0..<3).map { Harness.tempPath("ran-\($0)") }
        let r = try Harness.defend(
            policy: ProcessPolicyTests.policy(allowed: ["sha256:\(digest)", "sha256:\(dash)"]),
            ["/bin/sh", "-c", "\(approved) \(proofs[0]); \(renamed) \(proofs[1]); \(other) \(proofs[2]); echo rc=$?"]
        )
        #expect(Harness.exists(proofs[0]))
        #expect(Harness.exists(proofs[1]))
        #expect(!Harness.exists(proofs[2]))
        #expect(r.stdout.contains("rc=137"))
        let a = try #require(r.audits.first { $0[string: "attackType"] == "notAllowedProcess" })
        #expect(a[string: "processPath"] == other)
        #expect(a[string: "msg"]?.contains("(sha256:\(try Self.sha256(other)))") == true)
    }

    @Test func aDeniedDigestCatchesARenamedCopy() throws {
        let tool = try Harness.markerProgram(name: "netcat-like")
        let disguised = try Self.copy(tool, as: "innocent-name")
        let proof = Harness.tempPath("ran")
        let byName = try Harness.defend(policy: ProcessPolicyTests.policy(denied: ["netcat-like"]), [disguised, proof])
        // By name, the copy runs: the evasion the digest entry closes.
        #expect(byName.status == 0 && Harness.exists(proof))
        try? FileManager.default.removeItem(atPath: proof)
        let byDigest = try Harness.defend(policy: ProcessPolicyTests.policy(denied: ["sha256:\(try Self.sha256(tool))"]), [disguised, proof])
        #expect(byDigest.status == 137)
        #expect(!Harness.exists(proof))
        let a = try #require(byDigest.audits.first)
        #expect(a[string: "attackType"] == "explicitlyDeniedProcess")
        #expect(a[string: "msg"]?.contains("is denied by its digest sha256:") == true)
    }

    @Test func aMalformedDigestEntryIsAPolicyError() throws {
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(allowed: ["sha256:abc"]), ["/bin/true"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("rules[0].processes.allowed[0]: expected sha256: followed by 64 hexadecimal digits"))
    }
}
