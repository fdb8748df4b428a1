import ScuteWAAS

/// One finding on one request, as recorded: the block page shows `eventID`, shared by all findings of a request.
package struct WAASEvent: Sendable, Equatable {
    /// UTC time, RFC 3339 with milliseconds.
    package var time: String
    /// 16 hex digits, the same for every finding of one request.
    package var eventID: String
    package var clientIP: String
    package var method: String
    /// The request path, without the query.
    package var path: String
    package var host: String
    package var category: WAASCategory
    package var ruleID: String
    /// Where the rule matched, e.g. `query:id`.
    package var location: String
    /// The engine's short, redacted excerpt.
    package var excerpt: String
    /// The effect applied to the request (the strictest of its findings').
    package var effect: WAASEffect

    /// Makes an event.
    package init(
        time: String,
        eventID: String,
        clientIP: String,
        method: String,
        path: String,
        host: String,
        category: WAASCategory,
        ruleID: String,
        location: String,
        excerpt: String,
        effect: WAASEffect
    ) {
        self.time = time
        self.eventID = eventID
        self.clientIP = clientIP
        self.method = method
        self.path = path
        self.host = host
        self.category = category
        self.ruleID = ruleID
        self.location = location
        self.excerpt = excerpt
        self.effect = effect
    }

    /// The event as one JSON object on one line (keys in a fixed order, no trailing newline).
    package var jsonLine: String {
        var out = "{"
        let fields: [(String, String)] = [
            ("time", time), ("eventID", eventID), ("clientIP", clientIP), ("method", method), ("path", path), ("host", host),
            ("category", category.rawValue), ("ruleID", ruleID), ("location", location), ("excerpt", excerpt), ("effect", effect.rawValue),
        ]
        for (index, (key, value)) in fields.enumerated() {
            if index > 0 { out += "," }
            out += "\"" + key + "\":"
            JSONText.appendString(value, to: &out)
        }
        out += "}"
        return out
    }
}

/// JSON string escaping for event lines.
enum JSONText {
    static func appendString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
