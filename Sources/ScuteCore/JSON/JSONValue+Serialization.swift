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
        serialized(layout, keeping: JSONLayoutHints())
    }

    /// The JSON text of this value, writing the collections that `hints` name on one line as they were.
    public func serialized(_ layout: Layout, keeping hints: JSONLayoutHints) -> String {
        var out = ""
        switch layout {
        case .compact: writeCompact(into: &out)
        case .indented(let unit):
            var path: [JSONPathComponent] = []
            writeIndented(into: &out, unit: unit, level: 0, hints: hints, path: &path)
        }
        return out
    }

    /// One line, in the style of `hint`: `["a", "b"]` and `{"a": 1}`, or padded `{ "a": 1 }`.
    private func writeInline(into out: inout String, padded: Bool, hints: JSONLayoutHints, path: inout [JSONPathComponent]) {
        let open = padded ? " " : ""
        switch self {
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return
            }
            out += "[" + open
            for (i, e) in a.enumerated() {
                if i > 0 { out += ", " }
                path.append(.index(i))
                e.writeInline(into: &out, padded: hints.inline[path]?.padded ?? padded, hints: hints, path: &path)
                path.removeLast()
            }
            out += open + "]"
        case .object(let o):
            if o.isEmpty {
                out += "{}"
                return
            }
            out += "{" + open
            for (i, m) in o.members.enumerated() {
                if i > 0 { out += ", " }
                Self.writeString(m.key, into: &out)
                out += ": "
                path.append(.key(m.key))
                m.value.writeInline(into: &out, padded: hints.inline[path]?.padded ?? padded, hints: hints, path: &path)
                path.removeLast()
            }
            out += open + "}"
        default:
            writeCompact(into: &out)
        }
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

    private func writeIndented(
        into out: inout String,
        unit: String,
        level: Int,
        hints: JSONLayoutHints,
        path: inout [JSONPathComponent]
    ) {
        if let hint = hints.inline[path] {
            // Kept on one line while that line stays readable; an edit that makes it long expands it.
            var line = ""
            writeInline(into: &line, padded: hint.padded, hints: hints, path: &path)
            if line.count + level * unit.count <= Self.maximumInlineWidth {
                out += line
                return
            }
        }
        switch self {
        case .array(let a):
            if a.isEmpty {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, e) in a.enumerated() {
                Self.pad(&out, unit, level + 1)
                path.append(.index(i))
                e.writeIndented(into: &out, unit: unit, level: level + 1, hints: hints, path: &path)
                path.removeLast()
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
                path.append(.key(m.key))
                m.value.writeIndented(into: &out, unit: unit, level: level + 1, hints: hints, path: &path)
                path.removeLast()
                out += i == o.count - 1 ? "\n" : ",\n"
            }
            Self.pad(&out, unit, level)
            out += "}"
        default:
            writeCompact(into: &out)
        }
    }

    /// The widest line a one-line collection may make before it is written expanded.
    static let maximumInlineWidth = 150

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

/// One step of a path into a JSON document.
public enum JSONPathComponent: Hashable, Sendable {
    case key(String)
    case index(Int)
}

/// Which collections of a document were written on one line, by path.
public struct JSONLayoutHints: Sendable, Equatable {
    /// How an inline collection was written.
    public struct Inline: Sendable, Equatable, Hashable {
        /// Spaces inside the brackets: `{ "a": 1 }`.
        public var padded: Bool

        public init(padded: Bool) { self.padded = padded }
    }

    public var inline: [[JSONPathComponent]: Inline]

    public init(inline: [[JSONPathComponent]: Inline] = [:]) { self.inline = inline }

    /// The hints for the part of a document under `prefix`, with paths made relative to it.
    public func under(_ prefix: [JSONPathComponent]) -> JSONLayoutHints {
        var out: [[JSONPathComponent]: Inline] = [:]
        for (path, hint) in inline where path.starts(with: prefix) {
            out[Array(path.dropFirst(prefix.count))] = hint
        }
        return JSONLayoutHints(inline: out)
    }
}
