import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ScuteCore
import ScuteStore

extension APIRoutes {
    static let auditParameters: Set<String> = [
        "from", "to", "appID", "type", "effect", "rule", "attackType", "limit", "offset", "sort", "format",
    ]
    static let csvColumns = [
        "id", "time", "appID", "container", "type", "effect", "rule", "attackType", "pid", "processPath", "cmdline", "user",
        "domain", "ip", "port", "msg", "count",
    ]

    func registerAudits(_ api: RouterGroup<ConsoleRequestContext>) {
        api.get("audits/runtime") { request, context in
            _ = try context.require(.read)
            let q = QueryReader(request: request)
            try q.only(Self.auditParameters)
            var query = AuditQuery()
            query.from = try Self.time(q, "from")
            query.to = try Self.time(q, "to")
            query.appID = try q.string("appID")
            query.type = try q.oneOf("type", ["process", "dns", "network", "listening", "defender"])
            query.effect = try q.oneOf("effect", ["alert", "prevent", "allow"])
            query.rule = try q.string("rule")
            query.attackType = try q.string("attackType")
            let format = try q.oneOf("format", ["json", "csv"]) ?? "json"
            // An export may be larger than a page.
            query.limit = try q.int("limit", range: 1...(format == "csv" ? 100_000 : 1000), default: 100)
            query.offset = try q.int("offset", range: 0...10_000_000, default: 0)
            query.newestFirst = (try q.oneOf("sort", ["time", "-time"]) ?? "-time") == "-time"
            let fixed = query
            let page = try await store { () async throws(StoreError) in try await core.store.audits(fixed) }
            let events = page.items.map { (try? JSONValue.parse($0.body)) ?? .null }
            if format == "csv" {
                return Response.text(
                    Self.csv(events),
                    contentType: "text/csv; charset=utf-8",
                    headers: [.contentDisposition: "attachment; filename=\"runtime-audits.csv\"", HTTPField.Name("Scute-Total")!: String(page.total)]
                )
            }
            return Response.json([
                "total": .int(page.total),
                "limit": .int(query.limit),
                "offset": .int(query.offset),
                "audits": .array(events),
            ])
        }
    }

    private static func time(_ q: QueryReader, _ key: String) throws(APIError) -> Int64? {
        guard let text = try q.string(key, maxLength: 64) else { return nil }
        guard let t = RFC3339.nanoseconds(text) else { throw APIError.badRequest(key, "expected an RFC 3339 time such as 2026-01-31T12:00:00Z") }
        return t
    }

    /// RFC 4180 CSV with a header row; fields with commas, quotes or line breaks are quoted.
    static func csv(_ events: [JSONValue]) -> String {
        func cell(_ v: JSONValue?) -> String {
            let s: String
            switch v {
            case .string(let x)?: s = x
            case .number(let n)?: s = n
            case .bool(let b)?: s = b ? "true" : "false"
            default: s = ""
            }
            // A leading = + - @ would be a formula in a spreadsheet.
            let safe = s.first.map { "=+-@".contains($0) } == true ? "'" + s : s
            if safe.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
                return "\"" + safe.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            }
            return safe
        }
        var out = csvColumns.joined(separator: ",") + "\r\n"
        for e in events {
            let o = e.objectValue
            out += csvColumns.map { cell(o?[$0]) }.joined(separator: ",") + "\r\n"
        }
        return out
    }

    func registerSettings(_ api: RouterGroup<ConsoleRequestContext>) {
        api.get("settings") { _, context in
            _ = try context.require(.read)
            let stored = try await store { () async throws(StoreError) in try await core.store.settings() }
            return Response.json(settingsJSON(stored))
        }
        api.put("settings") { request, context in
            _ = try context.require(.administer)
            let body = try await JSONBody.object(of: request, limit: limit, allowed: Set(SettingKey.editable.keys))
            var changes: [(String, String)] = []
            for (key, range) in SettingKey.editable.sorted(by: { $0.key < $1.key }) {
                if let v = try body.int(key, range: range) { changes.append((key, String(v))) }
            }
            let fixed = changes
            let stored = try await store { () async throws(StoreError) in
                for (k, v) in fixed { try await core.store.setSetting(k, v) }
                return try await core.store.settings()
            }
            return Response.json(settingsJSON(stored))
        }
    }

    private func settingsJSON(_ stored: [String: String]) -> JSONValue {
        [
            SettingKey.defenderExpirySeconds: .number(stored[SettingKey.defenderExpirySeconds] ?? String(core.configuration.defenderExpiry)),
            SettingKey.auditRetentionDays: .number(stored[SettingKey.auditRetentionDays] ?? String(core.configuration.auditRetentionDays)),
        ]
    }
}
