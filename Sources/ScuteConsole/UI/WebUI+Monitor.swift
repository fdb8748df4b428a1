import Foundation
import HTTPTypes
import Hummingbird
import ScuteCore
import ScuteStore

/// Dashboard, Monitor > Events and Monitor > Compliance.
extension WebUI {
    static let eventFilters = ["from", "to", "appID", "task", "container", "type", "effect", "rule", "attackType"]
    static let pageSize = 50

    /// Audits (of one type, or all) in each of the last 24 hours, oldest first, counted by the API. The counts are
    /// independent reads: asked for at once (the store serves reads concurrently).
    func hourlyCounts(_ s: Session, type: String?) async -> [Int] {
        let hour: Int64 = 3_600_000
        let end = (WallClock.milliseconds() / hour + 1) * hour
        let api = self.api
        return await withTaskGroup(of: (Int, Int).self) { group in
            for i in 0..<24 {
                let from = end - Int64(24 - i) * hour
                group.addTask {
                    var q = UIQuery.audits(from: from, to: from + hour, limit: 1)
                    if let type { q += "&type=" + type }
                    let answer = await api.call(.get, "/audits/runtime" + q, token: s.token, context: s.context)
                    return (i, answer.json?.objectValue?["total"]?.intValue ?? 0)
                }
            }
            var counts = Array(repeating: 0, count: 24)
            for await (i, count) in group { counts[i] = count }
            return counts
        }
    }

    /// SVG bars (120 units high, 20 wide each) for 24 hourly counts.
    static func bars(_ counts: [Int]) -> [[String: Any]] {
        let top = max(1, counts.max() ?? 1)
        return counts.enumerated().map { i, count in
            let height = Int((Double(count) / Double(top) * 100).rounded())
            return ["x": i * 20 + 2, "y": 110 - height, "height": height, "count": count, "hour": (i - 23)]
        }
    }

    func dashboard(_ s: Session) async throws -> Response {
        let defenders = await api.call(.get, "/defenders", token: s.token, context: s.context)
        let list = defenders.json?.objectValue?["defenders"]?.arrayValue ?? []
        let connected = list.filter { $0.objectValue?["connected"] == .bool(true) }.count
        // Audits, and the web application firewall's events among them, over the last 24 hours: a bar an hour.
        async let allCounts = hourlyCounts(s, type: nil)
        async let waasCounts = hourlyCounts(s, type: "waas")
        // Compliance findings and vulnerabilities of the deployed images, as Monitor > Compliance counts them.
        async let findings = api.call(.get, "/compliance/results", token: s.token, context: s.context)
        async let vulnerabilities = api.call(.get, "/vulnerabilities/results", token: s.token, context: s.context)
        let counts = await allCounts
        let waas = await waasCounts
        let bars = Self.bars(counts)
        let findingsTotal = await findings.json?.objectValue?["total"]?.intValue
        let vulnerabilitiesTotal = await vulnerabilities.json?.objectValue?["total"]?.intValue
        // The rules hit most, over the newest 1,000 audits.
        let recent = await api.call(.get, "/audits/runtime?limit=1000", token: s.token, context: s.context)
        var hits: [String: Int] = [:]
        for audit in recent.json?.objectValue?["audits"]?.arrayValue ?? [] {
            if let rule = audit.objectValue?["rule"]?.stringValue, !rule.isEmpty { hits[rule, default: 0] += 1 }
        }
        let topRules = hits.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map {
            ["rule": $0.key, "count": $0.value] as [String: Any]
        }
        return render(
            "dashboard",
            "Dashboard",
            s,
            [
                "connected": connected, "disconnected": list.count - connected, "bars": bars, "total": counts.reduce(0, +),
                "waasBars": Self.bars(waas), "waasTotal": waas.reduce(0, +),
                "complianceFindings": findingsTotal.map(String.init) ?? "?", "vulnerabilities": vulnerabilitiesTotal.map(String.init) ?? "?",
                "topRules": topRules, "hasTopRules": !topRules.isEmpty, "defendersError": defenders.ok ? "" : defenders.errorMessage,
            ]
        )
    }

    /// The API query of the event filters in the page's query string.
    private func eventQuery(_ s: Session) -> [(String, String)] {
        Self.eventFilters.map { name in
            let value = s.query(name)
            return (name, name == "from" || name == "to" ? UIQuery.rfc3339(fromInput: value) : value)
        }
    }

    func events(_ s: Session) async throws -> Response {
        let offset = max(0, Int(s.query("offset")) ?? 0)
        let filters = eventQuery(s)
        let q = UIQuery.make(filters + [("limit", String(Self.pageSize)), ("offset", String(offset))])
        let answer = await api.call(.get, "/audits/runtime" + q, token: s.token, context: s.context)
        let page = answer.json?.objectValue
        let total = page?["total"]?.intValue ?? 0
        let pageFilters = Self.eventFilters.map { ($0, s.query($0)) }
        // The detail page leads back to this very page of this very filter.
        let back = "/monitor/events" + UIQuery.make(pageFilters + [("offset", offset > 0 ? String(offset) : "")])
        let audits: [[String: Any]] = (page?["audits"]?.arrayValue ?? []).map { audit in
            var row = (Self.mustache(audit) as? [String: Any]) ?? [:]
            let o = audit.objectValue
            row["subject"] = o?["processPath"]?.stringValue ?? o?["domain"]?.stringValue ?? o?["ip"]?.stringValue ?? ""
            row["task"] = Self.taskLabel(family: o?["taskFamily"]?.stringValue, arn: o?["taskARN"]?.stringValue)
            row["link"] = "/monitor/events/" + URLText.encode(o?["id"]?.stringValue ?? "") + UIQuery.make([("back", back)])
            return row
        }
        var data: [String: Any] = [
            "audits": audits, "hasAudits": !audits.isEmpty, "total": total,
            "first": audits.isEmpty ? 0 : offset + 1, "last": offset + audits.count,
            "error": answer.ok ? "" : answer.errorMessage, "hasError": !answer.ok,
            "csv": "/monitor/events.csv" + UIQuery.make(pageFilters),
        ]
        for (name, value) in pageFilters { data["f_\(name)"] = value }
        for t in ["process", "dns", "network", "listening", "defender", "waas"] where s.query("type") == t { data["type_\(t)"] = true }
        for e in ["alert", "prevent", "allow"] where s.query("effect") == e { data["effect_\(e)"] = true }
        if offset > 0 { data["previous"] = "/monitor/events" + UIQuery.make(pageFilters + [("offset", String(max(0, offset - Self.pageSize)))]) }
        if offset + audits.count < total {
            data["next"] = "/monitor/events" + UIQuery.make(pageFilters + [("offset", String(offset + Self.pageSize))])
        }
        return render("events", "Monitor > Events", s, data, status: answer.ok ? .ok : answer.status)
    }

    /// "family (task ID)", or whichever of the two there is.
    static func taskLabel(family: String?, arn: String?) -> String {
        let id = arn.map(UIQuery.taskID) ?? ""
        switch (family ?? "", id) {
        case ("", let id): return id
        case (let family, ""): return family
        case (let family, let id): return "\(family) (\(id))"
        }
    }

    /// One audit on its own page: every field the defender and the console wrote, in the stored order.
    func event(_ s: Session) async throws -> Response {
        // Audit IDs are any printable ASCII: the link percent-encodes them, the router hands them over as sent.
        let raw = s.context.parameters.get("id") ?? ""
        let id = raw.removingPercentEncoding ?? raw
        let answer = await api.call(.get, "/audits/runtime" + UIQuery.make([("id", id), ("limit", "1")]), token: s.token, context: s.context)
        let audit = answer.json?.objectValue?["audits"]?.arrayValue?.first?.objectValue
        let back = s.query("back")
        var data: [String: Any] = [
            // Only a path of this UI's events page: never a link elsewhere.
            "back": back.hasPrefix("/monitor/events") && !back.hasPrefix("/monitor/events/") ? back : "/monitor/events",
            "error": answer.ok ? "" : answer.errorMessage, "hasError": !answer.ok,
        ]
        let status: HTTPResponse.Status
        if let audit {
            data["fields"] = audit.members.map { m -> [String: Any] in
                let text: String
                switch m.value {
                case .string(let t): text = t
                case .null: text = ""
                default: text = m.value.serialized(.compact)
                }
                return ["name": m.key, "value": text]
            }
            data["hasAudit"] = true
            data["id"] = id
            data["json"] = JSONValue.object(audit).serialized(.indented("  "))
            var related: [(String, String)] = []
            if let app = audit["appID"]?.stringValue, !app.isEmpty { related.append(("appID", app)) }
            if let arn = audit["taskARN"]?.stringValue, !arn.isEmpty {
                data["taskLink"] = "/monitor/events" + UIQuery.make([("task", UIQuery.taskID(arn))])
            }
            if let rule = audit["rule"]?.stringValue, !rule.isEmpty {
                data["ruleLink"] = "/monitor/events" + UIQuery.make(related + [("rule", rule)])
            }
            status = .ok
        } else {
            data["missing"] = answer.ok
            status = answer.ok ? .notFound : answer.status
        }
        return render("event", "Monitor > Events > Event", s, data, status: status)
    }
    /// The CSV export of exactly the filtered set, as the API writes it.
    func eventsCSV(_ s: Session) async -> Response {
        let q = UIQuery.make(eventQuery(s) + [("format", "csv"), ("limit", "100000")])
        let answer = await api.call(.get, "/audits/runtime" + q, token: s.token, context: s.context)
        guard answer.ok else { return .asset(Array(answer.errorMessage.utf8), contentType: "text/plain; charset=utf-8", status: answer.status) }
        return .asset(
            answer.body,
            contentType: "text/csv; charset=utf-8",
            headers: [.contentDisposition: "attachment; filename=\"runtime-audits.csv\""]
        )
    }

    static let complianceFilters = ["fargate", "task", "image", "check"]
    /// The row of defenders that did not say which image they run.
    static let unknownImage = "(unknown image)"
    static let imagesPerPage = 25
    static let severities = ["critical", "high", "medium", "low", "unknown"]

    /// The API query of the compliance page's filters (`fargate` is yes, no or any on the page).
    private func complianceQuery(_ s: Session, vulnerabilities: Bool = false) -> [(String, String)] {
        let fargate = ["yes": "true", "no": "false"][s.query("fargate")] ?? ""
        var q = [("task", s.query("task")), ("image", s.query("image"))]
        if !vulnerabilities { q += [("fargate", fargate), ("check", s.query("check").uiTrimmed())] }
        return q
    }

    /// Monitor > Compliance: one row per deployed image (with the tasks running it), or with `view=task` one row
    /// per task, with its compliance findings and its vulnerabilities counted by severity, from
    /// `GET /compliance/results` and `GET /vulnerabilities/results`; paged here, on the server.
    func compliance(_ s: Session) async throws -> Response {
        let offset = max(0, Int(s.query("offset")) ?? 0)
        let byTask = s.query("view") == "task"
        let compliance = await api.call(.get, "/compliance/results" + UIQuery.make(complianceQuery(s)), token: s.token, context: s.context)
        let vulns = await api.call(
            .get,
            "/vulnerabilities/results" + UIQuery.make(complianceQuery(s, vulnerabilities: true)),
            token: s.token,
            context: s.context
        )
        /// One row: an image, or a task.
        struct Group {
            var tasks: Set<String> = []
            var images: Set<String> = []
            var family = ""
            var fargate = false
            var findings: [String: Set<String>] = [:]
            var vulnerabilities: [String: Set<String>] = [:]
            var reported = false

            mutating func add(_ o: JSONObject) {
                tasks.insert(o["host"]?.stringValue ?? "")
                images.insert(o["image"]?.stringValue ?? "")
                if family.isEmpty { family = o["taskFamily"]?.stringValue ?? "" }
                fargate = fargate || o["fargate"] == .bool(true)
                reported = true
            }
        }
        func key(_ o: JSONObject) -> String { byTask ? o["host"]?.stringValue ?? "" : o["image"]?.stringValue ?? "" }
        var groups: [String: Group] = [:]
        let fargate = s.query("fargate")
        for row in compliance.json?.objectValue?["results"]?.arrayValue ?? [] {
            guard let o = row.objectValue else { continue }
            var group = groups[key(o)] ?? Group()
            group.add(o)
            let finding = "\(o["check"]?.intValue ?? 0) \(o["path"]?.stringValue ?? "") \(o["package"]?.stringValue ?? "")"
            group.findings[o["severity"]?.stringValue?.lowercased() ?? "unknown", default: []].insert(finding)
            groups[key(o)] = group
        }
        // With a check chosen, only the rows that fail it; the vulnerability list has no Fargate filter of its
        // own, so its rows are kept by the `fargate` each carries.
        let checkChosen = !s.query("check").uiTrimmed().isEmpty
        for row in vulns.json?.objectValue?["results"]?.arrayValue ?? [] {
            guard let o = row.objectValue else { continue }
            if checkChosen && groups[key(o)] == nil { continue }
            if fargate == "yes" && o["fargate"] != .bool(true) || fargate == "no" && o["fargate"] == .bool(true) { continue }
            var group = groups[key(o)] ?? Group()
            group.add(o)
            let id = "\(o["id"]?.stringValue ?? "") \(o["package"]?.stringValue ?? "") \(o["installed"]?.stringValue ?? "")"
            group.vulnerabilities[o["severity"]?.stringValue ?? "unknown", default: []].insert(id)
            groups[key(o)] = group
        }
        // Deployed images and tasks whose defenders have not reported yet, when nothing narrows the list.
        let filtered = Self.complianceFilters.contains { !s.query($0).isEmpty }
        if !filtered {
            let defenders = await api.call(.get, "/defenders", token: s.token, context: s.context)
            for d in defenders.json?.objectValue?["defenders"]?.arrayValue ?? [] {
                guard let o = d.objectValue else { continue }
                let image = o["image"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? Self.unknownImage
                let arn = o["taskARN"]?.stringValue ?? ""
                let host = arn.isEmpty ? o["id"]?.stringValue ?? "" : UIQuery.taskID(arn)
                var group = groups[byTask ? host : image] ?? Group()
                group.tasks.insert(host)
                group.images.insert(image)
                if group.family.isEmpty { group.family = o["taskFamily"]?.stringValue ?? "" }
                group.fargate = group.fargate || !arn.isEmpty
                groups[byTask ? host : image] = group
            }
        }
        let sorted = groups.sorted { $0.key < $1.key }
        let page = sorted.dropFirst(offset).prefix(Self.imagesPerPage)
        let view = byTask ? "task" : ""
        let pageFilters = Self.complianceFilters.map { ($0, s.query($0)) } + [("view", view)]
        let rows: [[String: Any]] = page.map { name, group in
            func summary(_ bySeverity: [String: Set<String>]) -> String {
                let parts = Self.severities.compactMap { sev in bySeverity[sev].map { "\($0.count) \(sev)" } }
                return parts.isEmpty ? (group.reported ? "none" : "no results yet") : parts.joined(separator: ", ")
            }
            let images = group.images.sorted().map { image -> [String: Any] in
                [
                    "image": image, "linked": image != Self.unknownImage,
                    "link": "/monitor/compliance/image" + UIQuery.make([("image", image)] + pageFilters.filter { $0.0 != "image" }),
                ]
            }
            return [
                "task": byTask ? (group.family.isEmpty ? name : "\(group.family) (\(name))") : "", "images": images,
                "tasks": group.tasks.sorted().joined(separator: ", "), "fargate": group.fargate ? "yes" : "no",
                "compliance": summary(group.findings), "vulnerabilities": summary(group.vulnerabilities),
            ]
        }
        let errors = [compliance, vulns].filter { !$0.ok }.map(\.errorMessage)
        let exports = pageFilters.filter { $0.0 != "view" }
        var data: [String: Any] = [
            "rows": rows, "hasRows": !rows.isEmpty, "total": sorted.count, "byTask": byTask, "unit": byTask ? "tasks" : "images",
            "first": rows.isEmpty ? 0 : offset + 1, "last": offset + rows.count,
            "error": errors.first ?? "", "hasError": !errors.isEmpty,
            "complianceCSV": "/monitor/compliance.csv" + UIQuery.make(exports),
            "vulnerabilitiesCSV": "/monitor/vulnerabilities.csv" + UIQuery.make(exports),
        ]
        for (name, value) in pageFilters { data["f_\(name)"] = value }
        for f in ["yes", "no"] where fargate == f { data["fargate_\(f)"] = true }
        if offset > 0 {
            data["previous"] = "/monitor/compliance" + UIQuery.make(pageFilters + [("offset", String(max(0, offset - Self.imagesPerPage)))])
        }
        if offset + rows.count < sorted.count {
            data["next"] = "/monitor/compliance" + UIQuery.make(pageFilters + [("offset", String(offset + Self.imagesPerPage))])
        }
        let status = errors.isEmpty ? HTTPResponse.Status.ok : (compliance.ok ? vulns.status : compliance.status)
        return render("compliance", "Monitor > Compliance", s, data, status: status)
    }

    /// One image: the tasks running it, its compliance findings and its vulnerabilities.
    func complianceImage(_ s: Session) async throws -> Response {
        let image = s.query("image")
        var complianceQ = complianceQuery(s)
        complianceQ[1] = ("image", image)
        var vulnQ = complianceQuery(s, vulnerabilities: true)
        vulnQ[1] = ("image", image)
        let findings = await api.call(.get, "/compliance/results" + UIQuery.make(complianceQ), token: s.token, context: s.context)
        let vulns = await api.call(.get, "/vulnerabilities/results" + UIQuery.make(vulnQ), token: s.token, context: s.context)
        var tasks: Set<String> = []
        var findingRows: [String: [String: Any]] = [:]
        for row in findings.json?.objectValue?["results"]?.arrayValue ?? [] {
            guard let o = row.objectValue, o["image"]?.stringValue == image else { continue }
            let host = o["host"]?.stringValue ?? ""
            tasks.insert(host)
            let detail = [o["path"], o["package"], o["variable"], o["kind"], o["detail"]].compactMap { $0?.stringValue }.filter { !$0.isEmpty }
            let key = "\(o["check"]?.intValue ?? 0)\u{1F}" + detail.joined(separator: "\u{1F}")
            var r =
                findingRows[key] ?? [
                    "check": o["check"]?.intValue ?? 0, "title": o["title"]?.stringValue ?? "", "severity": o["severity"]?.stringValue ?? "",
                    "detail": detail.joined(separator: " · "), "hosts": Set<String>(),
                ]
            r["hosts"] = ((r["hosts"] as? Set<String>) ?? []).union([host])
            findingRows[key] = r
        }
        var vulnRows: [String: [String: Any]] = [:]
        let fargate = s.query("fargate")
        for row in vulns.json?.objectValue?["results"]?.arrayValue ?? [] {
            guard let o = row.objectValue, o["image"]?.stringValue == image else { continue }
            if fargate == "yes" && o["fargate"] != .bool(true) || fargate == "no" && o["fargate"] == .bool(true) { continue }
            let host = o["host"]?.stringValue ?? ""
            tasks.insert(host)
            let package = o["package"]?.stringValue ?? ""
            let installed = o["installed"]?.stringValue ?? ""
            let key = [o["id"]?.stringValue ?? "", package, installed, o["path"]?.stringValue ?? ""].joined(separator: "\u{1F}")
            var r =
                vulnRows[key] ?? [
                    "id": o["id"]?.stringValue ?? "", "severity": o["severity"]?.stringValue ?? "unknown", "package": package,
                    "installed": installed, "fixed": o["fixed"]?.stringValue ?? "", "state": o["state"]?.stringValue ?? "",
                    "aliases": (o["aliases"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: " "), "hosts": Set<String>(),
                ]
            r["hosts"] = ((r["hosts"] as? Set<String>) ?? []).union([host])
            vulnRows[key] = r
        }
        func rank(_ severity: Any?) -> Int { Self.severities.firstIndex(of: (severity as? String ?? "").lowercased()) ?? Self.severities.count }
        func listed(_ rows: [String: [String: Any]], by key: String) -> [[String: Any]] {
            rows.values.map { r in
                var r = r
                r["tasks"] = ((r["hosts"] as? Set<String>) ?? []).count
                r["hosts"] = nil
                return r
            }.sorted {
                rank($0["severity"]) != rank($1["severity"])
                    ? rank($0["severity"]) < rank($1["severity"]) : "\($0[key] ?? "")" < "\($1[key] ?? "")"
            }
        }
        let findingList = listed(findingRows, by: "check")
        let vulnList = listed(vulnRows, by: "id")
        let errors = [findings, vulns].filter { !$0.ok }.map(\.errorMessage)
        let exportFilters = [("image", image), ("task", s.query("task")), ("fargate", fargate), ("check", s.query("check"))]
        let data: [String: Any] = [
            "image": image, "tasks": tasks.sorted(), "hasTasks": !tasks.isEmpty,
            "findings": findingList, "hasFindings": !findingList.isEmpty, "vulnerabilities": vulnList, "hasVulnerabilities": !vulnList.isEmpty,
            "error": errors.first ?? "", "hasError": !errors.isEmpty,
            "back": "/monitor/compliance" + UIQuery.make((Self.complianceFilters.filter { $0 != "image" } + ["view"]).map { ($0, s.query($0)) }),
            "complianceCSV": "/monitor/compliance.csv" + UIQuery.make(exportFilters),
            "vulnerabilitiesCSV": "/monitor/vulnerabilities.csv" + UIQuery.make(exportFilters),
        ]
        return render("image", "Monitor > Compliance > Image", s, data, status: errors.isEmpty ? .ok : .badRequest)
    }

    /// The API's CSV export of the page's filtered results (`compliance` or `vulnerabilities`), as it writes it.
    func complianceCSV(_ s: Session, kind: String) async -> Response {
        let q = complianceQuery(s, vulnerabilities: kind == "vulnerabilities") + [("format", "csv")]
        let answer = await api.call(.get, "/\(kind)/results" + UIQuery.make(q), token: s.token, context: s.context)
        guard answer.ok else { return .asset(Array(answer.errorMessage.utf8), contentType: "text/plain; charset=utf-8", status: answer.status) }
        return .asset(answer.body, contentType: "text/csv; charset=utf-8", headers: [.contentDisposition: "attachment; filename=\"\(kind).csv\""])
    }
}

extension HTTPField.Name {
    static let contentDisposition = HTTPField.Name("Content-Disposition")!
}

/// Query strings for the API, from the UI's inputs.
enum UIQuery {
    static func make(_ pairs: [(String, String)]) -> String { URLText.query(pairs) }

    static func audits(from: Int64, to: Int64, limit: Int) -> String {
        make([("from", rfc3339(milliseconds: from)), ("to", rfc3339(milliseconds: to)), ("limit", String(limit))])
    }

    static func rfc3339(milliseconds: Int64) -> String {
        let date = Date(timeIntervalSince1970: TimeInterval(milliseconds) / 1000)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    /// "2026-12-07 08:10 UTC": a time for people, to the minute.
    static func readable(milliseconds: Int64) -> String {
        let text = rfc3339(milliseconds: milliseconds)
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5)) + " UTC"
    }

    /// A `datetime-local` input (UTC, as the page says) as RFC 3339; other text goes to the API as typed.
    static func rfc3339(fromInput text: String) -> String {
        let t = text.uiTrimmed()
        if t.count == 16, t.dropFirst(10).first == "T" { return t + ":00Z" }
        if t.count == 19, t.dropFirst(10).first == "T" { return t + "Z" }
        return t
    }

    /// The task ID at the end of a task ARN.
    static func taskID(_ arn: String) -> String { arn.split(separator: "/").last.map(String.init) ?? arn }
}
