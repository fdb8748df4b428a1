import Foundation
import ScuteCore
import Testing

/// The defender's compliance and inventory reports on the local channel: sent to the sidecar, and the
/// latest of each kind sent again after a reconnect.
@Suite(.serialized) struct LocalLinkReportTests {
    @Test func reportsReachTheSidecarAndAreSentAgainAfterAReconnect() throws {
        let marker = try Harness.markerProgram(name: "tool-source")
        let (root, _) = try ComplianceMonitorTests.root(tool: marker)
        // A body of at least 60 base64 characters: a whole key, as check 425 wants it.
        let body = String(repeating: "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW", count: 2)
        try "-----BEGIN OPENSSH PRIVATE KEY-----\n\(body)\n-----END OPENSSH PRIVATE KEY-----\n"
            .write(toFile: root + "/etc/id_ed25519", atomically: true, encoding: .utf8)
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        sidecar.policyOnHello = LocalLinkTests.emptyPolicy
        let go = Harness.tempPath("go")
        func reports(_ m: [(connection: Int, message: LocalMessage)], on connection: Int) -> [String] {
            m.filter { $0.connection == connection && $0.message.type == .report }.compactMap { $0.message.payload[string: "kind"] }
        }
        var first: [String] = []
        let r = try Harness.run(
            [Harness.defender, "defend", "--scan-root", root, "--", "/bin/sh", "-c", "while [ ! -f \(go) ]; do sleep 0.05; done"],
            environment: LocalLinkTests.environment(sidecar, ["SCUTE_DEFENDER_ID": "def-r"])
        ) { _ in
            sidecar.wait { m in Set(reports(m, on: 1)) == ["compliance", "inventory"] }
            first = reports(sidecar.messages, on: 1)
            sidecar.drop()
            sidecar.wait { m in Set(reports(m, on: 2)) == ["compliance", "inventory"] }
            FileManager.default.createFile(atPath: go, contents: nil)
        }
        #expect(r.status == 0)
        #expect(Set(first) == ["compliance", "inventory"])
        let again = sidecar.messages.filter { $0.connection == 2 && $0.message.type == .report }
        // Latest wins, not a queue: one of each kind after the reconnect.
        #expect(again.count == 2)
        let compliance = try #require(again.first { $0.message.payload[string: "kind"] == "compliance" }?.message.payload["report"]?.objectValue)
        let findings = compliance["findings"]?.arrayValue?.compactMap(\.objectValue) ?? []
        #expect(findings.contains { $0["check"]?.intValue == 425 && $0[string: "path"] == "/etc/id_ed25519" })
        let inventory = try #require(again.first { $0.message.payload[string: "kind"] == "inventory" }?.message.payload["report"]?.objectValue)
        #expect(inventory["packages"]?.arrayValue?.first?.objectValue?[string: "name"] == "tools")
    }
}
