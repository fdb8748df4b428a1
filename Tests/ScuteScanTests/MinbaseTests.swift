import Foundation
import Testing

@testable import ScuteScan

/// The realistic cases, on a debootstrap minbase root (read-only, or a copy where a test changes it).
@Suite(.serialized) struct MinbaseTests {
    func minbase() throws -> String {
        switch MinbaseRoot.path {
        case .success(let path): return path
        case .failure(let reason):
            try #require(Bool(false), "skipped: \(reason)")
            return ""
        }
    }

    @Test func pristineRootPassesAllChecks() throws {
        let path = try minbase()
        let (report, inventory) = try ImageScanner(root: path).scanWithInventory()
        // GnuTLS embeds a test private key in libgnutls.so: package-owned and intact, so not a finding.
        #expect(report.findings.filter { $0.severity != .info } == [])
        #expect(report.exitCode == 0)
        let debian = inventory.packages.filter { $0.ecosystem == "Debian" }
        #expect(debian.count > 60)
        let bsdutils = try #require(debian.first { $0.name == "bsdutils" })
        #expect(bsdutils.source == "util-linux")
        #expect(bsdutils.version.hasPrefix("1:"))
        #expect(debian.contains { $0.name == "libgnutls30" && $0.source == "gnutls28" })
    }

    @Test func gnutlsKeyIsSeenButPackageOwned() throws {
        let path = try minbase()
        let scanner = ImageScanner(root: path, options: ScanOptions(checks: [.privateKeys]))
        #expect(try scanner.scan().findings.isEmpty)
        // The same bytes outside any package are a finding.
        let library = try #require(
            try FileManager.default.contentsOfDirectory(atPath: path + "/usr/lib/x86_64-linux-gnu").first { $0.hasPrefix("libgnutls.so.30.") }
        )
        let root = TestRoot()
        root.write("opt/libcopy.so", Array(try Data(contentsOf: URL(fileURLWithPath: path + "/usr/lib/x86_64-linux-gnu/" + library))))
        let findings = try ImageScanner(root: root.path, options: ScanOptions(checks: [.privateKeys])).scan().findings(425)
        #expect(findings.map(\.path) == ["/opt/libcopy.so"])
        #expect(findings.first?.detail?.contains("PRIVATE KEY") == true)
    }

    @Test func changesToACopyOfTheRoot() throws {
        let path = try minbase()
        let copy = TestRoot()
        try run("/bin/cp", ["-a", path + "/.", copy.path])
        copy.append("usr/bin/ls", [0x0a])
        copy.remove("usr/bin/tail")
        copy.append("etc/bash.bashrc", Array("alias ll='ls -l'\n".utf8))
        try run("/bin/cp", ["/bin/sleep", copy.path + "/tmp/xmrig"])
        let report = try ImageScanner(
            root: copy.path,
            options: ScanOptions(environment: [EnvironmentVariable(name: "DB_PASSWORD", value: "hunter22")])
        ).scan()
        #expect(report.findings(448, kind: "changed").map(\.path) == ["/usr/bin/ls"])
        #expect(report.findings(448, kind: "missing").map(\.path) == ["/usr/bin/tail"])
        #expect(report.findings(426).map(\.path) == ["/tmp/xmrig"])
        #expect(report.findings(424).map(\.variable) == ["DB_PASSWORD"])
        #expect(!report.findings.contains { $0.path == "/etc/bash.bashrc" })
        #expect(report.exitCode == 1)
    }
}
