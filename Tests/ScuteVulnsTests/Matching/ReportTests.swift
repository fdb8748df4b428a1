import Foundation
import Testing

@testable import ScuteVulns

@Suite struct ReportTests {
    static let matches = [
        VulnerabilityMatch(
            id: "DSA-9001-1",
            aliases: ["CVE-2024-28085"],
            package: "bsdutils",
            ecosystem: "Debian",
            installed: "1:2.38.1-5+b1",
            fixed: "2.38.1-5+deb12u1",
            severity: nil,
            path: nil,
            source: "util-linux",
            sourceVersion: "2.38.1-5"
        ),
        VulnerabilityMatch(
            id: "GHSA-9301-cccc-dddd",
            aliases: [],
            package: "lodash",
            ecosystem: "npm",
            installed: "4.17.20",
            fixed: nil,
            severity: "HIGH",
            path: "/app/node_modules/lodash/package.json"
        ),
    ]

    @Test func jsonHasTheDocumentedShape() throws {
        let json = try VulnerabilityReport(vulnerabilities: Self.matches).json()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(Array(object.keys) == ["vulnerabilities"])
        let entries = try #require(object["vulnerabilities"] as? [[String: Any]])
        #expect(entries.count == 2)
        #expect(entries[0]["id"] as? String == "DSA-9001-1")
        #expect(entries[0]["fixed"] as? String == "2.38.1-5+deb12u1")
        #expect(entries[0]["severity"] == nil)
        #expect(entries[1]["fixed"] == nil)
        #expect(entries[1]["state"] as? String == "unfixed")
        #expect(entries[1]["path"] as? String == "/app/node_modules/lodash/package.json")
        // Sorted keys: the same report gives the same bytes; and it decodes back to the same matches.
        #expect(json.range(of: "\"aliases\"")!.lowerBound < json.range(of: "\"id\"")!.lowerBound)
        #expect(try VulnerabilityReport(vulnerabilities: Self.matches).json() == json)
        #expect(try JSONDecoder().decode(VulnerabilityReport.self, from: Data(json.utf8)).vulnerabilities == Self.matches)
    }

    @Test func tableShowsUnfixedAndASummary() {
        let table = VulnerabilityTable.render(Self.matches)
        let lines = table.split(separator: "\n")
        #expect(lines[0].hasPrefix("PACKAGE"))
        #expect(lines[0].hasSuffix("PATH"))
        #expect(lines[2].contains("(unfixed)"))
        #expect(lines.last == "2 vulnerabilities in 2 packages (1 unfixed).")
        #expect(VulnerabilityTable.render([]) == "No known vulnerabilities.\n")
    }

    @Test(arguments: [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N", 6.8),
        ("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
    ])
    func cvss3BaseScores(_ vector: String, _ score: Double) {
        #expect(SeverityRating.cvss3BaseScore(vector) == score)
    }

    @Test func severityPreferenceOrder() {
        let v2 = OSVSeverity(type: "CVSS_V2", score: "AV:N/AC:L/Au:N/C:P/I:P/A:P")
        #expect(SeverityRating.cvss2BaseScore(v2.score) == 7.5)
        #expect(SeverityRating.cvss2BaseScore("AV:N/AC:M/Au:N/C:N/I:P/A:N") == 4.3)
        #expect(SeverityRating.rating([v2], nil) == "HIGH")
        #expect(SeverityRating.rating([v2], "moderate") == "MEDIUM")
        #expect(SeverityRating.rating([OSVSeverity(type: "Ubuntu", score: "negligible")], nil) == "NEGLIGIBLE")
        #expect(SeverityRating.rating([OSVSeverity(type: "CVSS_V4", score: "CVSS:4.0/AV:N")], nil) == "CVSS:4.0/AV:N")
        #expect(SeverityRating.rating([OSVSeverity(type: "CVSS_V3", score: "garbage")], nil) == nil)
        #expect(SeverityRating.rating([], nil) == nil)
    }
}
