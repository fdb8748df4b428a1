import ScuteCore

/// The bounds an audit keeps to be stored. A defender writes far less; anything outside is refused on ingest
/// (counted as rejected), so that no stored audit can break a listing, an export or a database column.
public enum AuditLimits {
    /// The whole event as compact JSON.
    public static let maxEventBytes = 64 << 10
    /// Fields in one event.
    public static let maxFields = 40
    /// One string value.
    public static let maxStringBytes = 16 << 10
    /// The audit id.
    public static let maxIDBytes = 128
    /// The columns audits are filtered on (`container`, `rule`, `attackType`, `appID`).
    public static let maxColumnBytes = 512
    /// A number literal (`1e999` and its kind are refused whatever their length).
    public static let maxNumberLiteral = 32
    /// The earliest audit time accepted: 2000-01-01T00:00:00Z, nanoseconds.
    public static let earliest: Int64 = 946_684_800 * 1_000_000_000
    /// How far ahead of the console's clock an audit may be dated (a defender's clock may run fast).
    public static let maxClockSkew: Int64 = 86_400 * 1_000_000_000

    /// Integer fields and the values they may take.
    static let integers: [String: ClosedRange<Int64>] = [
        "pid": 0...Int64(Int32.max),
        "ppid": 0...Int64(Int32.max),
        "port": 0...65_535,
        "count": 1...1_000_000_000,
    ]
    /// Fields that are short tokens (letters, digits, `.`, `_`, `-`).
    static let tokens: Set<String> = ["type", "effect"]
}

extension StoredAudit {
    /// Reads an audit event object as the defender writes it (``AuditEvent/json``) and checks it against
    /// ``AuditLimits``; the failure names the field. The stored body is the event as compact JSON with the time
    /// as RFC 3339 text and, when given, the app ID and container of the channel it came over (a defender
    /// cannot file audits under another app).
    ///
    /// - Parameters:
    ///   - appID: the app ID of the defender's channel; replaces the event's.
    ///   - container: the container of the defender's channel; replaces the event's when not empty.
    ///   - taskFamily: the task family of the defender's channel; replaces the event's (left out when empty).
    ///   - taskARN: the task ARN of the defender's channel; replaces the event's (left out when empty).
    ///   - now: the console's clock, nanoseconds since the epoch (audits dated after it plus a day are refused).
    public static func from(
        json value: JSONValue,
        defenderID: String,
        appID: String? = nil,
        container: String? = nil,
        taskFamily: String? = nil,
        taskARN: String? = nil,
        now: Int64 = WallClock.nanoseconds()
    ) -> Result<StoredAudit, StoreError> {
        do {
            let task = (family: taskFamily, arn: taskARN)
            return .success(try ingest(value, defenderID: defenderID, appID: appID, container: container, task: task, now: now))
        } catch {
            return .failure(error)
        }
    }

    private static func ingest(
        _ value: JSONValue,
        defenderID: String,
        appID: String?,
        container: String?,
        task: (family: String?, arn: String?),
        now: Int64
    ) throws(StoreError) -> StoredAudit {
        guard var o = value.objectValue else { throw .invalid("audit: expected an object, found \(value.typeName)") }
        guard o.count <= AuditLimits.maxFields else { throw .invalid("audit: more than \(AuditLimits.maxFields) fields") }
        for member in o.members {
            guard !member.key.isEmpty, member.key.utf8.count <= 64 else {
                throw .invalid("audit: a field name is empty or longer than 64 bytes")
            }
            try check(member.value, member.key)
        }
        guard let id = o["id"]?.stringValue, !id.isEmpty, id.utf8.count <= AuditLimits.maxIDBytes,
            id.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7f })
        else {
            throw .invalid("audit.id: expected a string of 1 to \(AuditLimits.maxIDBytes) printable ASCII characters")
        }
        let time = try time(o["time"], now: now)
        o["time"] = .string(AuditEvent.iso8601(nanoseconds: time))
        if let appID { o["appID"] = .string(appID) }
        if let container, !container.isEmpty { o["container"] = .string(container) }
        // Like the app ID, the task is the channel's: a defender cannot file audits under another task.
        if let family = task.family { o["taskFamily"] = family.isEmpty ? nil : .string(family) }
        if let arn = task.arn { o["taskARN"] = arn.isEmpty ? nil : .string(arn) }
        func column(_ key: String) throws(StoreError) -> String {
            guard let field = o[key], field != .null else { return "" }
            guard let text = field.stringValue else { throw .invalid("audit.\(key): expected a string, found \(field.typeName)") }
            let limit = AuditLimits.tokens.contains(key) ? 64 : AuditLimits.maxColumnBytes
            guard text.utf8.count <= limit else { throw .invalid("audit.\(key): longer than \(limit) bytes") }
            guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7f }) else {
                throw .invalid("audit.\(key): control characters are not allowed")
            }
            if AuditLimits.tokens.contains(key), !text.utf8.allSatisfy(isTokenByte) {
                throw .invalid("audit.\(key): letters, digits, '.', '_' and '-' only")
            }
            return text
        }
        let body = JSONValue.object(o).serialized(.compact)
        guard body.utf8.count <= AuditLimits.maxEventBytes else { throw .invalid("audit: larger than \(AuditLimits.maxEventBytes) bytes") }
        return StoredAudit(
            id: id,
            time: time,
            defenderID: defenderID,
            appID: try column("appID"),
            container: try column("container"),
            type: try column("type"),
            effect: try column("effect"),
            rule: try column("rule"),
            attackType: try column("attackType"),
            taskFamily: try column("taskFamily"),
            taskARN: try column("taskARN"),
            body: body
        )
    }

    /// A field's value: a string, a finite number, a boolean or null; never nested.
    private static func check(_ field: JSONValue, _ key: String) throws(StoreError) {
        switch field {
        case .null, .bool:
            return
        case .string(let text):
            guard text.utf8.count <= AuditLimits.maxStringBytes else {
                throw .invalid("audit.\(key): longer than \(AuditLimits.maxStringBytes) bytes")
            }
        case .number(let literal):
            guard literal.utf8.count <= AuditLimits.maxNumberLiteral, let d = Double(literal), d.isFinite else {
                throw .invalid("audit.\(key): the number \(literal.prefix(40)) is out of range")
            }
            if let range = AuditLimits.integers[key] {
                guard let i = Int64(literal), range.contains(i) else {
                    throw .invalid("audit.\(key): expected an integer from \(range.lowerBound) to \(range.upperBound)")
                }
            }
        case .array, .object:
            throw .invalid("audit.\(key): expected a string, number or boolean, found \(field.typeName)")
        }
    }

    /// The audit time: RFC 3339 text (or integer nanoseconds), from 2000 to a day after `now`.
    private static func time(_ field: JSONValue?, now: Int64) throws(StoreError) -> Int64 {
        let time: Int64
        switch field {
        case .string(let text)?:
            guard let t = RFC3339.nanoseconds(text) else { throw .invalid("audit.time: expected an RFC 3339 time") }
            time = t
        case .number(let literal)?:
            guard let t = Int64(literal) else { throw .invalid("audit.time: expected integer nanoseconds since the epoch") }
            time = t
        default:
            throw .invalid("audit.time: expected an RFC 3339 time")
        }
        let latest = now.addingReportingOverflow(AuditLimits.maxClockSkew)
        guard time >= AuditLimits.earliest, latest.overflow || time <= latest.partialValue else {
            throw .invalid("audit.time: \(AuditEvent.iso8601(nanoseconds: time)) is before 2000 or more than a day ahead of the console")
        }
        return time
    }

    private static func isTokenByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b == 0x2e || b == 0x5f || b == 0x2d
    }
}
