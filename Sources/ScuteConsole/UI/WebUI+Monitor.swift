import Foundation
import HTTPTypes
import Hummingbird
import ScuteCore
import ScuteStore

/// Dashboard, Monitor > Events and Monitor > Compliance.
extension WebUI {
    static let eventFilters = ["from", "to", "appID", "type", "effect", "rule", "attackType"]
    static let pageSize = 50

    func dashboard(_ s: Session) async throws -> Response {
        let defenders = await api.call(.get, "/defenders", token: s.token, context: s.context)
        let list = defenders.json?.objectValue?["defenders"]?.arrayValue ?? []
        let connected = list.filter { $0.objectValue?["connected"] == .bool(true) }.count
        // Audits over the last 24 hours, one bar an hour, counted by the API.
        let hour: Int64 = 3_600_000
        let now = WallClock.milliseconds()
        let end = (now / hour + 1) * hour
        var bars: [[String: Any]] = []
        var counts: [Int] = []
        for i in 0..<24 {
            let from = end - Int64(24 - i) * hour
            let q = UIQuery.audits(from: from, to: from + hour, limit: 1)
            let answer = await api.call(.get, "/audits/runtime" + q, token: s.token, context: s.context)
            counts.append(answer.json?.objectValue?["total"]?.intValue ?? 0)
        }
        let top = max(1, counts.max() ?? 1)
        for (i, count) in counts.enumerated() {
            let height = Int((Double(count) / Double(top) * 100).rounded())
            bars.append(["x": i * 20 + 2, "y": 110 - height, "height": height, "count": count, "hour": (i - 23)])
        }
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
        let audits: [[String: Any]] = (page?["audits"]?.arrayValue ?? []).map { audit in
            var row = (Self.mustache(audit) as? [String: Any]) ?? [:]
            let o = audit.objectValue
            row["subject"] = o?["processPath"]?.stringValue ?? o?["domain"]?.stringValue ?? o?["ip"]?.stringValue ?? ""
            row["detail"] = audit.serialized(.indented("  "))
            return row
        }
        let pageFilters = Self.eventFilters.map { ($0, s.query($0)) }
        var data: [String: Any] = [
            "audits": audits, "hasAudits": !audits.isEmpty, "total": total,
            "first": audits.isEmpty ? 0 : offset + 1, "last": offset + audits.count,
            "error": answer.ok ? "" : answer.errorMessage, "hasError": !answer.ok,
            "csv": "/monitor/events.csv" + UIQuery.make(pageFilters),
        ]
        for (name, value) in pageFilters { data["f_\(name)"] = value }
        for t in ["process", "dns", "network", "listening", "defender"] where s.query("type") == t { data["type_\(t)"] = true }
        for e in ["alert", "prevent", "allow"] where s.query("effect") == e { data["effect_\(e)"] = true }
        if offset > 0 { data["previous"] = "/monitor/events" + UIQuery.make(pageFilters + [("offset", String(max(0, offset - Self.pageSize)))]) }
        if offset + audits.count < total {
            data["next"] = "/monitor/events" + UIQuery.make(pageFilters + [("offset", String(offset + Self.pageSize))])
        }
        return render("events", "Monitor > Events", s, data, status: answer.ok ? .ok : answer.status)
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

    func compliance(_ s: Session) async throws -> Response {
        let defenders = await api.call(.get, "/defenders", token: s.token, context: s.context)
        var images: [String: [String]] = [:]
        for d in defenders.json?.objectValue?["defenders"]?.arrayValue ?? [] {
            let o = d.objectValue
            let image = o?["image"]?.stringValue ?? "(unknown image)"
            let task = o?["taskARN"]?.stringValue.map(UIQuery.taskID) ?? o?["id"]?.stringValue ?? ""
            images[image, default: []].append(task)
        }
        let rows = images.sorted { $0.key < $1.key }.map { ["image": $0.key, "tasks": $0.value.joined(separator: ", ")] as [String: Any] }
        return render("compliance", "Monitor > Compliance", s, ["rows": rows, "hasRows": !rows.isEmpty])
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
