#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The result of `scute scan`: `{"root", "findings", "errors"}`.
package struct ScanReport: Codable, Sendable, Equatable {
    package var root: String
    package var findings: [Finding]
    package var errors: [ScanIssue]

    package init(root: String, findings: [Finding] = [], errors: [ScanIssue] = []) {
        self.root = root
        self.findings = findings
        self.errors = errors
    }

    /// True when some finding is more than information.
    package var failed: Bool { findings.contains { $0.severity != .info } }

    /// The command's exit status: 0 when nothing failed, 1 when something did (2 is for a scan that could not run).
    package var exitCode: Int32 { failed ? 1 : 0 }

    /// Findings in a stable order: check, path, kind, variable.
    package mutating func sort() {
        findings.sort { lhs, rhs in
            (lhs.check, lhs.path ?? "", lhs.kind ?? "", lhs.variable ?? "", lhs.detail ?? "")
                < (rhs.check, rhs.path ?? "", rhs.kind ?? "", rhs.variable ?? "", rhs.detail ?? "")
        }
        errors.sort { ($0.path ?? "", $0.message) < ($1.path ?? "", $1.message) }
    }

    /// The report as JSON with keys in a stable (sorted) order.
    package func jsonData(pretty: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// A plain-text table for people.
    package func table() -> String {
        var rows = [["CHECK", "SEVERITY", "KIND", "PATH / VARIABLE", "PACKAGE", "DETAIL"]]
        for finding in findings {
            rows.append([
                String(finding.check), finding.severity.rawValue, finding.kind ?? "",
                finding.path ?? finding.variable ?? "", finding.package ?? "", finding.detail ?? "",
            ])
        }
        var text = "Root: \(root)\n"
        text += findings.isEmpty ? "No findings.\n" : TextTable.render(rows)
        if !errors.isEmpty {
            text += "\nErrors (\(errors.count)):\n"
            for issue in errors { text += "  \(issue.path.map { "\($0): " } ?? "")\(issue.message)\n" }
        }
        let failing = findings.filter { $0.severity != .info }.count
        text += "\n\(findings.count) finding(s), \(failing) failing.\n"
        return text
    }
}

/// Plain-text columns, padded to the widest cell.
enum TextTable {
    static func render(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        var text = ""
        for row in rows {
            var line = ""
            for (index, cell) in row.enumerated() {
                let last = index == row.count - 1
                line += last ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            while line.hasSuffix(" ") { line.removeLast() }
            text += line + "\n"
        }
        return text
    }
}
