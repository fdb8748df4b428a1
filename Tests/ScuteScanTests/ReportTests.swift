import Foundation
import Testing

@testable import ScuteScan

@Suite struct ReportTests {
    @Test func jsonShapeAndExitCodes() throws {
        var report = ScanReport(root: "/img")
        #expect(report.exitCode == 0)
        report.findings.append(Finding(.alteredPackageFiles, severity: .info, path: "/usr/bin/tail", kind: "diverted", detail: "local diversion"))
        #expect(report.exitCode == 0)
        report.findings.append(Finding(.cryptoMiners, severity: .critical, path: "/tmp/xmrig", kind: "miner-name"))
        report.errors.append(ScanIssue(path: "/big", message: "not read"))
        report.sort()
        #expect(report.exitCode == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any])
        #expect(Set(object.keys) == ["root", "findings", "errors"])
        let first = try #require((object["findings"] as? [[String: Any]])?.first)
        #expect(first["check"] as? Int == 426)
        #expect(first["title"] as? String == "Image contains binaries used for crypto mining")
        #expect(first["severity"] as? String == "critical")
        #expect(first["path"] as? String == "/tmp/xmrig")
        #expect(first["variable"] == nil)
        let table = report.table()
        let row = try #require(table.split(separator: "\n").first { $0.hasPrefix("426") })
        #expect(row.split(separator: " ") == ["426", "critical", "miner-name", "/tmp/xmrig"])
        #expect(table.contains("/big: not read"))
    }

    @Test func checksOption() throws {
        #expect(try ScanOptions.parseChecks("424, 448") == [.secretEnvironment, .alteredPackageFiles])
        #expect(throws: ScanError.self) { try ScanOptions.parseChecks("424,999") }
    }

    @Test func unopenableRootThrows() {
        #expect(throws: ScanError.self) { try ImageScanner(root: "/nonexistent/root").scan() }
    }
}
