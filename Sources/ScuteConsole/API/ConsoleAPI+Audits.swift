import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import ScuteConsoleAPI
import ScuteCore
import ScuteStore

extension ConsoleAPI {
    static let csvColumns = [
        "id", "time", "appID", "container", "type", "effect", "rule", "attackType", "pid", "processPath", "cmdline", "user",
        "domain", "ip", "port", "msg", "count",
    ]

    func listRuntimeAudits(_ input: Operations.ListRuntimeAudits.Input) async throws -> Operations.ListRuntimeAudits.Output {
        let q = input.query
        var query = AuditQuery()
        query.from = q.from.map(Self.nanoseconds)
        query.to = q.to.map(Self.nanoseconds)
        query.appID = try Self.optionalText(q.appID, "appID")
        query.type = q._type?.rawValue
        query.effect = q.effect?.rawValue
        query.rule = try Self.optionalText(q.rule, "rule")
        query.attackType = try Self.optionalText(q.attackType, "attackType")
        query.container = try Self.optionalText(q.container, "container")
        query.task = try Self.optionalText(q.task, "task")
        query.id = try Self.optionalText(q.id, "id")
        let csv = q.format == .csv
        // An export may be larger than a page.
        query.limit = try Self.int(q.limit, "limit", range: 1...(csv ? 100_000 : 1000), default: 100)
        query.offset = try Self.int(q.offset, "offset", range: 0...10_000_000, default: 0)
        query.newestFirst = (q.sort ?? ._hyphen_time) == ._hyphen_time
        let fixed = query
        let page = try await store { () async throws(StoreError) in try await core.store.audits(fixed) }
        if csv {
            let events = page.items.map { (try? JSONValue.parse($0.body)) ?? .null }
            ResponseExtras.add(.contentDisposition, "attachment; filename=\"runtime-audits.csv\"")
            ResponseExtras.add(.scuteTotal, String(page.total))
            return .ok(.init(body: .csv(HTTPBody(Self.csv(events)))))
        }
        // The stored bodies are compact JSON checked on ingest: they go out as stored, not decoded again.
        guard let exchange = RawJSONExchange.current else { throw APIError(.internalServerError, "internal error") }
        exchange.respond(Self.auditPage(page, limit: query.limit, offset: query.offset))
        return .ok(.init(body: .json(.init(total: page.total, limit: query.limit, offset: query.offset, audits: []))))
    }

    /// The document's `AuditPage` with the stored audit bodies as they are, keys sorted like the generated encoder's.
    static func auditPage(_ page: AuditPage, limit: Int, offset: Int) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(64 + page.items.reduce(0) { $0 + $1.body.utf8.count + 1 })
        out += Array(#"{"audits":["#.utf8)
        for (i, item) in page.items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += Array(item.body.utf8)
        }
        out += Array("],\"limit\":\(limit),\"offset\":\(offset),\"total\":\(page.total)}".utf8)
        return out
    }

    static func nanoseconds(_ date: Date) -> Int64 {
        // Whole microseconds: a Double holds today's times to a fraction of one. Times outside what Int64
        // nanoseconds hold (before 1677, after 2262) are clamped rather than trapping.
        let micros = (date.timeIntervalSince1970 * 1_000_000).rounded()
        guard micros.isFinite, abs(micros) < 9.2e15 else { return micros < 0 ? .min : .max }
        return Int64(micros) * 1000
    }

    static func int(_ value: Int?, _ field: String, range: ClosedRange<Int>, default fallback: Int) throws(APIError) -> Int {
        guard let value else { return fallback }
        guard range.contains(value) else {
            throw APIError.badRequest(field, "must be from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
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

    // MARK: Settings

    func getSettings(_ input: Operations.GetSettings.Input) async throws -> Operations.GetSettings.Output {
        let stored = try await store { () async throws(StoreError) in try await core.store.settings() }
        return .ok(.init(body: .json(settings(stored))))
    }

    func updateSettings(_ input: Operations.UpdateSettings.Input) async throws -> Operations.UpdateSettings.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let given: [String: Int?] = [
            SettingKey.defenderExpirySeconds: body.defenderExpirySeconds,
            SettingKey.auditRetentionDays: body.auditRetentionDays,
        ]
        var changes: [(String, String)] = []
        for (key, range) in SettingKey.editable.sorted(by: { $0.key < $1.key }) {
            guard let value = given[key] ?? nil else { continue }
            changes.append((key, String(try Self.int(value, key, range: range, default: value))))
        }
        let fixed = changes
        let stored = try await store { () async throws(StoreError) in
            for (k, v) in fixed { try await core.store.setSetting(k, v) }
            return try await core.store.settings()
        }
        return .ok(.init(body: .json(settings(stored))))
    }

    private func settings(_ stored: [String: String]) -> Components.Schemas.Settings {
        .init(
            defenderExpirySeconds: stored[SettingKey.defenderExpirySeconds].flatMap(Int.init) ?? Int(core.configuration.defenderExpiry),
            auditRetentionDays: stored[SettingKey.auditRetentionDays].flatMap(Int.init) ?? core.configuration.auditRetentionDays
        )
    }
}
