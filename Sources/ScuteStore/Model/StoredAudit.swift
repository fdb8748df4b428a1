import ScuteCore

/// One audit as stored: the columns audits are filtered on, and the whole event as compact JSON.
public struct StoredAudit: Sendable, Equatable {
    public var id: String
    /// Nanoseconds since the Unix epoch.
    public var time: Int64
    public var defenderID: String
    public var appID: String
    public var container: String
    public var type: String
    public var effect: String
    public var rule: String
    public var attackType: String
    /// The task of the defender's channel (empty outside a task): family and ARN.
    public var taskFamily: String
    public var taskARN: String
    /// The event object, compact JSON.
    public var body: String

    /// The task ID: the last part of the task ARN.
    public var taskID: String { AppIdentity.taskID(fromARN: taskARN) }

    public init(
        id: String,
        time: Int64,
        defenderID: String = "",
        appID: String = "",
        container: String = "",
        type: String = "",
        effect: String = "",
        rule: String = "",
        attackType: String = "",
        taskFamily: String = "",
        taskARN: String = "",
        body: String
    ) {
        self.id = id
        self.time = time
        self.defenderID = defenderID
        self.appID = appID
        self.container = container
        self.type = type
        self.effect = effect
        self.rule = rule
        self.attackType = attackType
        self.taskFamily = taskFamily
        self.taskARN = taskARN
        self.body = body
    }
}

/// Which audits to return, and in what order.
public struct AuditQuery: Sendable, Equatable {
    /// Inclusive lower bound, nanoseconds.
    public var from: Int64?
    /// Exclusive upper bound, nanoseconds.
    public var to: Int64?
    public var appID: String?
    public var type: String?
    public var effect: String?
    public var rule: String?
    public var attackType: String?
    public var container: String?
    /// One audit, by its id.
    public var id: String?
    /// The task family, task ID or task ARN; `pay*` matches any of them by prefix.
    public var task: String?
    public var limit: Int
    public var offset: Int
    public var newestFirst: Bool

    public init(
        from: Int64? = nil,
        to: Int64? = nil,
        appID: String? = nil,
        type: String? = nil,
        effect: String? = nil,
        rule: String? = nil,
        attackType: String? = nil,
        container: String? = nil,
        id: String? = nil,
        task: String? = nil,
        limit: Int = 100,
        offset: Int = 0,
        newestFirst: Bool = true
    ) {
        self.from = from
        self.to = to
        self.appID = appID
        self.type = type
        self.effect = effect
        self.rule = rule
        self.attackType = attackType
        self.container = container
        self.id = id
        self.task = task
        self.limit = limit
        self.offset = offset
        self.newestFirst = newestFirst
    }

    /// The equality filters as (column, value) pairs, in a fixed order.
    var equalityFilters: [(String, String)] {
        var f: [(String, String)] = []
        if let appID { f.append(("app_id", appID)) }
        if let type { f.append(("type", type)) }
        if let effect { f.append(("effect", effect)) }
        if let rule { f.append(("rule", rule)) }
        if let attackType { f.append(("attack_type", attackType)) }
        if let container { f.append(("container", container)) }
        if let id { f.append(("id", id)) }
        return f
    }

    /// The task filter as SQL over the task columns, with `placeholder(i)` for the i-th of the returned values:
    /// equal to the family, task ID or ARN, or, for `pay*`, starting with `pay` (by `substr`, which both
    /// databases count in characters, so `_` and `%` in the pattern are plain text).
    func taskClause(_ placeholder: (Int) -> String) -> (sql: String, values: [String])? {
        guard let task else { return nil }
        let columns = ["task_family", "task_id", "task_arn"]
        if task.hasSuffix("*") {
            let prefix = String(task.dropLast())
            guard !prefix.isEmpty else { return nil }
            let n = prefix.unicodeScalars.count
            let sql = columns.enumerated().map { "substr(\($1), 1, \(n)) = \(placeholder($0))" }.joined(separator: " OR ")
            return ("(" + sql + ")", Array(repeating: prefix, count: columns.count))
        }
        let sql = columns.enumerated().map { "\($1) = \(placeholder($0))" }.joined(separator: " OR ")
        return ("(" + sql + ")", Array(repeating: task, count: columns.count))
    }
}

/// One page of audits and the number that match in all.
public struct AuditPage: Sendable, Equatable {
    public var total: Int
    public var items: [StoredAudit]

    public init(total: Int, items: [StoredAudit]) {
        self.total = total
        self.items = items
    }
}

/// RFC 3339 times (`2026-11-27T21:38:39.123Z`, offsets allowed) to nanoseconds since the epoch.
public enum RFC3339 {
    public static func nanoseconds(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var v = 0
            for i in r {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard let y = num(0..<4), b[4] == 45, let mo = num(5..<7), b[7] == 45, let d = num(8..<10),
            b[10] == 84 || b[10] == 116 || b[10] == 32, let h = num(11..<13), b[13] == 58, let mi = num(14..<16), b[16] == 58,
            let s = num(17..<19), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61
        else { return nil }
        var i = 19
        var frac: Int64 = 0
        if i < b.count && b[i] == 46 {
            i += 1
            var digits = 0
            while i < b.count && b[i] >= 48 && b[i] <= 57 {
                if digits < 9 {
                    frac = frac * 10 + Int64(b[i] - 48)
                    digits += 1
                }
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { frac *= 10 }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45, i + 6 == b.count, let oh = num(i + 1..<i + 3), b[i + 3] == 58, let om = num(i + 4..<i + 6) {
            offset = (oh * 60 + om) * 60 * (b[i] == 43 ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        // Days from civil (proleptic Gregorian).
        let yy = mo <= 2 ? y - 1 : y
        let era = (yy >= 0 ? yy : yy - 399) / 400
        let yoe = yy - era * 400
        let doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let seconds = Int64(days) * 86400 + Int64(h * 3600 + mi * 60 + s - offset)
        // Nanoseconds in an Int64 reach from 1677 to 2262; times outside are not audit times.
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, overflow2) = scaled.addingReportingOverflow(frac)
        return overflow || overflow2 ? nil : total
    }
}
