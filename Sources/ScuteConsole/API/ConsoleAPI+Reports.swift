import Foundation
import OpenAPIRuntime
import ScuteConsoleAPI
import ScuteCore
import ScuteStore

extension ConsoleAPI {
    // MARK: Compliance

    static let complianceCSVColumns = [
        "host", "taskFamily", "taskARN", "appID", "container", "image", "fargate", "time", "tasks", "check", "title", "severity",
        "path", "package", "kind", "variable", "detail",
    ]

    func listComplianceResults(_ input: Operations.ListComplianceResults.Input) async throws -> Operations.ListComplianceResults.Output {
        let q = input.query
        let filter = try ReportFilter(task: q.task, image: q.image, fargate: q.fargate)
        let reports = try await store { () async throws(StoreError) in try await core.store.reports(kind: "compliance") }
        var rows: [Components.Schemas.ComplianceResult] = []
        for report in reports where filter.matches(report) {
            guard let findings = (try? JSONValue.parse(report.body))?.objectValue?["findings"]?.arrayValue else { continue }
            for finding in findings {
                guard let f = finding.objectValue, let check = f["check"]?.intValue else { continue }
                if let wanted = q.check, wanted != check { continue }
                rows.append(
                    .init(
                        host: ReportFilter.host(report),
                        taskARN: report.taskARN,
                        taskFamily: report.taskFamily,
                        appID: report.appID,
                        defenderID: report.defenderID,
                        container: report.container,
                        image: report.image,
                        fargate: !report.taskARN.isEmpty,
                        time: ReportFilter.rfc3339(milliseconds: report.time),
                        check: check,
                        title: f["title"]?.stringValue ?? "",
                        severity: f["severity"]?.stringValue ?? "",
                        path: f["path"]?.stringValue,
                        package: f["package"]?.stringValue,
                        kind: f["kind"]?.stringValue,
                        variable: f["variable"]?.stringValue,
                        detail: f["detail"]?.stringValue
                    )
                )
            }
        }
        if q.by == .image {
            // One row per image and finding, with how many tasks report it.
            var grouped: [String: (Components.Schemas.ComplianceResult, Set<String>)] = [:]
            var order: [String] = []
            for row in rows {
                let key = [row.image, String(row.check), row.path ?? "", row.variable ?? "", row.package ?? "", row.kind ?? "", row.detail ?? ""]
                    .joined(separator: "\u{1F}")
                if grouped[key] == nil {
                    order.append(key)
                    let imageRow = Components.Schemas.ComplianceResult(
                        image: row.image,
                        check: row.check,
                        title: row.title,
                        severity: row.severity,
                        path: row.path,
                        package: row.package,
                        kind: row.kind,
                        variable: row.variable,
                        detail: row.detail
                    )
                    grouped[key] = (imageRow, [])
                }
                grouped[key]?.1.insert(row.host ?? "")
            }
            rows = order.compactMap { key in grouped[key].map { row, hosts in with(row) { $0.tasks = hosts.count } } }
        }
        if q.format == .csv || (q.format == nil && Self.prefersCSV(input.headers.accept.map(\.contentType.rawValue))) {
            let table = rows.map { r in
                [
                    r.host ?? "", r.taskFamily ?? "", r.taskARN ?? "", r.appID ?? "", r.container ?? "", r.image,
                    r.fargate.map { $0 ? "true" : "false" } ?? "", r.time ?? "", r.tasks.map(String.init) ?? "", String(r.check), r.title,
                    r.severity, r.path ?? "", r.package ?? "", r.kind ?? "", r.variable ?? "", r.detail ?? "",
                ]
            }
            ResponseExtras.add(.contentDisposition, "attachment; filename=\"compliance.csv\"")
            return .ok(.init(body: .csv(HTTPBody(Self.csvTable(header: Self.complianceCSVColumns, rows: table)))))
        }
        return .ok(.init(body: .json(.init(total: rows.count, results: rows))))
    }

    // MARK: Vulnerabilities

    static let vulnerabilityCSVColumns = [
        "host", "taskFamily", "taskARN", "appID", "container", "image", "time", "tasks", "id", "aliases", "package", "ecosystem",
        "installed", "fixed", "state", "severity", "path", "source",
    ]

    func listVulnerabilityResults(
        _ input: Operations.ListVulnerabilityResults.Input
    ) async throws -> Operations.ListVulnerabilityResults.Output {
        let q = input.query
        let filter = try ReportFilter(task: q.task, image: q.image, fargate: nil)
        let wantedID = try Self.optionalText(q.id, "id")
        let reports = try await store { () async throws(StoreError) in try await core.store.reports(kind: "vulnerabilities") }
        var rows: [Components.Schemas.VulnerabilityResult] = []
        for report in reports where filter.matches(report) {
            guard let matches = (try? JSONValue.parse(report.body))?.objectValue?["vulnerabilities"]?.arrayValue else { continue }
            for match in matches {
                guard let m = match.objectValue, let id = m["id"]?.stringValue else { continue }
                let aliases = m["aliases"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let severity = m["severity"]?.stringValue?.lowercased() ?? "unknown"
                if let wantedID, wantedID != id, !aliases.contains(wantedID) { continue }
                if let wanted = q.severity, wanted.rawValue != severity { continue }
                rows.append(
                    .init(
                        host: ReportFilter.host(report),
                        taskARN: report.taskARN,
                        taskFamily: report.taskFamily,
                        appID: report.appID,
                        defenderID: report.defenderID,
                        container: report.container,
                        image: report.image,
                        fargate: !report.taskARN.isEmpty,
                        time: ReportFilter.rfc3339(milliseconds: report.time),
                        id: id,
                        aliases: aliases,
                        package: m["package"]?.stringValue ?? "",
                        ecosystem: m["ecosystem"]?.stringValue,
                        installed: m["installed"]?.stringValue ?? "",
                        fixed: m["fixed"]?.stringValue,
                        state: m["state"]?.stringValue,
                        severity: severity,
                        path: m["path"]?.stringValue,
                        source: m["source"]?.stringValue
                    )
                )
            }
        }
        if q.by == .image {
            var grouped: [String: (Components.Schemas.VulnerabilityResult, Set<String>)] = [:]
            var order: [String] = []
            for row in rows {
                let key = [row.image, row.id, row.package, row.installed, row.path ?? ""].joined(separator: "\u{1F}")
                if grouped[key] == nil {
                    order.append(key)
                    var imageRow = row
                    (imageRow.host, imageRow.taskARN, imageRow.taskFamily, imageRow.defenderID, imageRow.time) = (nil, nil, nil, nil, nil)
                    (imageRow.appID, imageRow.container, imageRow.fargate) = (nil, nil, nil)
                    grouped[key] = (imageRow, [])
                }
                grouped[key]?.1.insert(row.host ?? "")
            }
            rows = order.compactMap { key in grouped[key].map { row, hosts in with(row) { $0.tasks = hosts.count } } }
        }
        if q.format == .csv || (q.format == nil && Self.prefersCSV(input.headers.accept.map(\.contentType.rawValue))) {
            let table = rows.map { r in
                [
                    r.host ?? "", r.taskFamily ?? "", r.taskARN ?? "", r.appID ?? "", r.container ?? "", r.image, r.time ?? "",
                    r.tasks.map(String.init) ?? "", r.id, (r.aliases ?? []).joined(separator: " "), r.package, r.ecosystem ?? "",
                    r.installed, r.fixed ?? "", r.state ?? "", r.severity ?? "", r.path ?? "", r.source ?? "",
                ]
            }
            ResponseExtras.add(.contentDisposition, "attachment; filename=\"vulnerabilities.csv\"")
            return .ok(.init(body: .csv(HTTPBody(Self.csvTable(header: Self.vulnerabilityCSVColumns, rows: table)))))
        }
        return .ok(.init(body: .json(.init(total: rows.count, results: rows))))
    }

    func getAdvisorySummary(_ input: Operations.GetAdvisorySummary.Input) async throws -> Operations.GetAdvisorySummary.Output {
        let reports = ConsoleReports(store: core.store)
        let summary = try await store { () async throws(StoreError) in try await reports.advisorySummary() }
        return .ok(.init(body: .json(.init(total: summary.total, newestModified: summary.newestModified))))
    }

    /// Whether the client asked for CSV (`Accept: text/csv`) and not for JSON too.
    static func prefersCSV(_ accepted: [String]) -> Bool {
        accepted.contains { $0.hasPrefix("text/csv") } && !accepted.contains { $0.hasPrefix("application/json") }
    }

    /// RFC 4180 CSV with a header row; a cell that a spreadsheet would take for a formula gets a leading `'`.
    static func csvTable(header: [String], rows: [[String]]) -> String {
        func cell(_ s: String) -> String {
            let safe = s.first.map { "=+-@".contains($0) } == true ? "'" + s : s
            if safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return safe
        }
        var out = header.joined(separator: ",") + "\r\n"
        for row in rows { out += row.map(cell).joined(separator: ",") + "\r\n" }
        return out
    }
}

private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}

/// The filters of the result lists: task (family or task ID, `family*` matches by prefix), image (also
/// `prefix*`), and whether the defender runs in a task (Fargate: it has a task ARN).
struct ReportFilter {
    var task: String?
    var image: String?
    var fargate: Bool?

    init(task: String?, image: String?, fargate: Bool?) throws(APIError) {
        self.task = try ConsoleAPI.optionalText(task, "task")
        self.image = try ConsoleAPI.optionalText(image, "image")
        self.fargate = fargate
    }

    func matches(_ report: StoredReport) -> Bool {
        if let fargate, fargate == report.taskARN.isEmpty { return false }
        if let task, !Self.matches(task, report.taskFamily) && !Self.matches(task, Self.host(report)) { return false }
        if let image, !Self.matches(image, report.image) { return false }
        return true
    }

    /// `pattern` equals `value`, or ends with `*` and `value` starts with what comes before it.
    static func matches(_ pattern: String, _ value: String) -> Bool {
        if pattern.hasSuffix("*") { return value.hasPrefix(pattern.dropLast()) }
        return pattern == value
    }

    /// The task ID (the last part of the task ARN) as the host; the defender ID outside a task.
    static func host(_ report: StoredReport) -> String {
        guard let slash = report.taskARN.lastIndex(of: "/") else { return report.taskARN.isEmpty ? report.defenderID : report.taskARN }
        return String(report.taskARN[report.taskARN.index(after: slash)...])
    }

    static func rfc3339(milliseconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }
}
