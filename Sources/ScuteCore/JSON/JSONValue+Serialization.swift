extension JSONValue {
    /// How a document is laid out when written.
    public enum Layout: Sendable, Equatable {
        /// No whitespace at all.
        case compact
        /// One member or element a line, indented by the given unit (two spaces, four spaces, a tab).
        case indented(String)
    }

    /// Guesses the layout of JSON text: the indentation of its first indented line, two spaces when the
    /// text is on one line.
    public static func detectLayout(of text: String) -> Layout {
        var sawNewline = false
        var indent = ""
        for ch in text.unicodeScalars {
            if ch == "\n" {
                if sawNewline && !indent.isEmpty { break }
                sawNewline = true
                indent = ""
                continue
            }
            guard sawNewline else { continue }
            if ch == " " || ch == "\t" {
                indent.unicodeScalars.append(ch)
            } else if ch == "\r" {
                continue
            } else {
                if !indent.isEmpty { return .indented(indent) }
                sawNewline = false
            }
        }
        return .indented("  ")
    }

    /// The JSON text of this value.
    public func serialized(_ layout: Layout = .indented("  ")) -> String {
        var out = ""
        switch layout {
        case .compact: writeCompact(into: &out)
        case .indented(let unit): writeIndented(into: &out, unit: unit, level: 0)
        }
        return out
    }

    private func writeCompact(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .number(let n): out += n
        case .string(let s): Self.writeString(s, into: &out)
        case .array(let a):
            out += "["
            for (i, e) in a.enumerated() {
                if i > 0 { out += "," }
                e.writeCompact(into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            for (i, m) in o.members.enumerated() {
                if i > 0 { out += "," }
                Self.writeString(m.key, into: &out)
                out += ":"
                m.value.writeCompact(into: &out)
            }
            out += "}"
        }
    }

    private func writeIndented(into out: inout String, unit: String, level: Int) {
        switch self {
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, e) in a.enumerated() {
                Self.pad(&out, unit, level + 1)
                e.writeIndented(into: &out, unit: unit, level: level + 1)
                out += i == a.count - 1 ? "\n" : ",\n"
            }
            Self.pad(&out, unit, level)
            out += "]"
        case .object(let o):
            if o.isEmpty {
                out += "{}"
                return
            }
            out += "{\n"
            for (i, m) in o.members.enumerated() {
                Self.pad(&out, unit, level + 1)
                Self.writeString(m.key, into: &out)
                out += ": "
                m.value.writeIndented(into: &out, unit: unit, level: level + 1)
                out += i == o.count - 1 ? "\n" : ",\n"
            }
            Self.pad(&out, unit, level)
            out += "}"
        default:
            writeCompact(into: &out)
        }
    }

    private static func pad(_ out: inout String, _ unit: String, _ level: Int) {
        for _ in 0..<level { out += unit }
    }

    /// Writes a JSON string literal, escaping only what JSON requires.
    static func writeString(_ s: String, into out: inout String) {
        out += "\""
        var needsEscape = false
        for b in s.utf8 where b < 0x20 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") {
            needsEscape = true
            break
        }
        if !needsEscape {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = Array("0123456789abcdef")
                    out += "\\u00"
                    out.append(hex[Int(scalar.value >> 4)])
                    out.append(hex[Int(scalar.value & 0xF)])
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
