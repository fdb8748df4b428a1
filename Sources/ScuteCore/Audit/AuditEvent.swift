/// One audit record: what happened, what the policy said, and who did it.
public struct AuditEvent: Sendable, Equatable {
    /// What an audit is about.
    public enum Kind: String, Sendable, Equatable {
        case process
        case dns
        case network
        case listening
        /// About the defender itself (tracing unavailable).
        case defender
    }

    public var id: String
    /// Nanoseconds since the Unix epoch.
    public var time: Int64
    public var appID: String
    public var container: String
    public var type: Kind
    public var effect: Verdict.Action
    public var rule: String?
    public var attackType: AttackType?
    public var pid: Int32?
    public var ppid: Int32?
    public var processPath: String?
    public var cmdline: String?
    public var user: String?
    public var domain: String?
    public var ip: String?
    public var port: Int?
    public var msg: String
    /// How many identical events this record stands for (see ``AuditAggregator``).
    public var count: Int

    public init(
        id: String = AuditEvent.newID(),
        time: Int64,
        appID: String = "",
        container: String = "",
        type: Kind,
        effect: Verdict.Action,
        rule: String? = nil,
        attackType: AttackType? = nil,
        pid: Int32? = nil,
        ppid: Int32? = nil,
        processPath: String? = nil,
        cmdline: String? = nil,
        user: String? = nil,
        domain: String? = nil,
        ip: String? = nil,
        port: Int? = nil,
        msg: String,
        count: Int = 1
    ) {
        self.id = id
        self.time = time
        self.appID = appID
        self.container = container
        self.type = type
        self.effect = effect
        self.rule = rule
        self.attackType = attackType
        self.pid = pid
        self.ppid = ppid
        self.processPath = processPath
        self.cmdline = cmdline
        self.user = user
        self.domain = domain
        self.ip = ip
        self.port = port
        self.msg = msg
        self.count = count
    }

    /// A random 128-bit identifier in UUID text form (version 4).
    public static func newID() -> String {
        var g = SystemRandomNumberGenerator()
        var bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &g) }
        bytes[6] = (bytes[6] & 0x0f) | 0x40
        bytes[8] = (bytes[8] & 0x3f) | 0x80
        let hex = bytes.map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }
        return hex[0..<4].joined() + "-" + hex[4..<6].joined() + "-" + hex[6..<8].joined() + "-" + hex[8..<10].joined() + "-"
            + hex[10..<16].joined()
    }

    /// The event as a JSON object; absent optional fields are left out.
    public var json: JSONValue {
        var o = JSONObject()
        o["id"] = .string(id)
        o["time"] = .string(Self.iso8601(nanoseconds: time))
        o["appID"] = .string(appID)
        o["container"] = .string(container)
        o["type"] = .string(type.rawValue)
        o["effect"] = .string(effect.rawValue)
        if let rule { o["rule"] = .string(rule) }
        if let attackType { o["attackType"] = .string(attackType.rawValue) }
        if let pid { o["pid"] = .int(Int(pid)) }
        if let ppid { o["ppid"] = .int(Int(ppid)) }
        if let processPath { o["processPath"] = .string(processPath) }
        if let cmdline { o["cmdline"] = .string(cmdline) }
        if let user { o["user"] = .string(user) }
        if let domain { o["domain"] = .string(domain) }
        if let ip { o["ip"] = .string(ip) }
        if let port { o["port"] = .int(port) }
        o["msg"] = .string(msg)
        o["count"] = .int(count)
        return .object(o)
    }

    /// One line of JSON, newline-terminated.
    public var jsonLine: String { json.serialized(.compact) + "\n" }

    /// What makes two events "the same" for aggregation: everything but id, time, pid and count.
    var aggregationKey: String {
        var e = self
        e.id = ""
        e.time = 0
        e.pid = nil
        e.ppid = nil
        e.count = 0
        return e.json.serialized(.compact)
    }

    /// RFC 3339 UTC time with millisecond precision.
    public static func iso8601(nanoseconds: Int64) -> String {
        let secs = nanoseconds >= 0 ? nanoseconds / 1_000_000_000 : (nanoseconds - 999_999_999) / 1_000_000_000
        let millis = Int((nanoseconds - secs * 1_000_000_000) / 1_000_000)
        var days = Int(secs / 86400)
        var rem = Int(secs % 86400)
        if rem < 0 {
            rem += 86400
            days -= 1
        }
        // Civil-from-days (proleptic Gregorian), era-based.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        var y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        if m <= 2 { y += 1 }
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem / 60 % 60, 2)):\(pad(rem % 60, 2)).\(pad(millis, 3))Z"
    }
}
