/// Text that came from a client (a user name, a defender's hello) made safe for a log line: control
/// characters, line and paragraph separators and bidirectional overrides are written as `\u{..}`, a
/// backslash as `\\`, and the text is cut at `limit` characters. A forged line break or terminal escape in a
/// user name can then not fake a log entry.
enum LogText {
    static func safe(_ text: some StringProtocol, limit: Int = 128) -> String {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit {
                out += "..."
                break
            }
            count += 1
            if scalar == "\\" {
                out += "\\\\"
            } else if needsEscape(scalar) {
                out += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    private static func needsEscape(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x00...0x1f, 0x7f...0x9f: true  // C0 and C1 controls (ESC starts terminal sequences)
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x200e, 0x200f, 0x202a...0x202e, 0x2066...0x2069: true  // bidirectional marks and overrides
        default: false
        }
    }
}
