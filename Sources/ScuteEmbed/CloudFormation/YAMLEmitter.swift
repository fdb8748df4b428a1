import ScuteCore

/// Writes JSON values as block YAML lines, with `{"!Tag": value}` objects as short-form tags.
struct YAMLEmitter {
    /// Spaces per nesting level.
    var step: Int = 2

    static func tag(of value: JSONValue) -> (String, JSONValue)? {
        guard case .object(let o) = value, o.count == 1, let m = o.members.first, m.key.hasPrefix("!") else { return nil }
        return (m.key, m.value)
    }

    /// The value written on the same line as its key or dash, if it fits there.
    func inline(_ value: JSONValue) -> String? {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return Self.scalar(s)
        case .array(let a):
            if a.isEmpty { return "[]" }
            return nil
        case .object(let o):
            if o.isEmpty { return "{}" }
            if let (tag, inner) = Self.tag(of: value) {
                if case .string(let s) = inner { return "\(tag) \(Self.scalar(s))" }
                if let flow = flow(inner) { return "\(tag) \(flow)" }
            }
            return nil
        }
    }

    /// A flow-style rendering for small collections inside tags (`!GetAtt [Role, Arn]`).
    func flow(_ value: JSONValue) -> String? {
        switch value {
        case .string(let str):
            return Self.flowScalar(str)
        case .array(let a):
            var parts: [String] = []
            for e in a {
                guard let t = flow(e) else { return nil }
                parts.append(t)
            }
            return "[" + parts.joined(separator: ", ") + "]"
        case .object(let o):
            if Self.tag(of: value) != nil { return inline(value) }
            var parts: [String] = []
            for m in o.members {
                guard let t = flow(m.value) else { return nil }
                parts.append("\(Self.flowScalar(m.key)): \(t)")
            }
            return "{" + parts.joined(separator: ", ") + "}"
        default:
            return inline(value)
        }
    }

    /// Lines for one `key: value` entry at `indent`.
    func entry(_ key: String, _ value: JSONValue, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        let k = Self.scalar(key)
        if let text = inline(value) { return ["\(pad)\(k): \(text)"] }
        if let (tag, inner) = Self.tag(of: value) {
            return ["\(pad)\(k): \(tag)"] + block(inner, indent: indent + step)
        }
        return ["\(pad)\(k):"] + block(value, indent: indent + step)
    }

    /// Lines for one sequence item whose dash is at `dash`.
    func item(_ value: JSONValue, dash: Int) -> [String] {
        let pad = String(repeating: " ", count: dash)
        if let text = inline(value) { return ["\(pad)- \(text)"] }
        if let (tag, inner) = Self.tag(of: value) {
            return ["\(pad)- \(tag)"] + block(inner, indent: dash + step)
        }
        switch value {
        case .object:
            // The first key goes on the dash's line, the others under it.
            var lines = block(value, indent: dash + 2)
            if !lines.isEmpty {
                lines[0] = pad + "- " + lines[0].dropFirst(dash + 2)
            }
            return lines
        default:
            return ["\(pad)-"] + block(value, indent: dash + step)
        }
    }

    /// Lines for a collection's content at `indent`.
    func block(_ value: JSONValue, indent: Int) -> [String] {
        switch value {
        case .object(let o):
            return o.members.flatMap { entry($0.key, $0.value, indent: indent) }
        case .array(let a):
            return a.flatMap { item($0, dash: indent) }
        default:
            return [String(repeating: " ", count: indent) + (inline(value) ?? "null")]
        }
    }

    /// A scalar string, plain where YAML would read it back as the same string, quoted otherwise.
    static func scalar(_ s: String) -> String {
        if needsQuotes(s) {
            if s.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                return JSONValue.string(s).serialized(.compact)
            }
            return "'" + s.replacingAll("'", with: "''") + "'"
        }
        return s
    }

    /// A scalar inside a flow collection, where `,[]{}` are also indicators.
    static func flowScalar(_ s: String) -> String {
        if !needsQuotes(s) && !s.contains(where: { ",[]{}".contains($0) }) { return s }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 }) { return scalar(s) }
        return "'" + s.replacingAll("'", with: "''") + "'"
    }

    static func needsQuotes(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last else { return true }
        if first == " " || last == " " { return true }
        if "-?:,[]{}#&*!|>'\"%@`".contains(first) {
            // "-x" and "/x" style values are fine; a lone indicator or "- " is not.
            if first == "-" && s.count > 1 && !s.hasPrefix("- ") && !s.hasPrefix("---") && Double(s) == nil { return false }
            return true
        }
        if s.contains(": ") || s.contains(" #") || s.hasSuffix(":") { return true }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 }) { return true }
        let lower = s.lowercased()
        let special: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]
        if special.contains(lower) { return true }
        if Double(s) != nil || Int(s) != nil { return true }
        if s.hasPrefix("0x") || s.hasPrefix("0o") || lower == ".inf" || lower == "-.inf" || lower == ".nan" { return true }
        return false
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = Substring(self)
        while let r = rest.range(of: target) {
            out += rest[..<r.lowerBound]
            out += replacement
            rest = rest[r.upperBound...]
        }
        out += rest
        return out
    }
}

extension Substring {
    func range(of target: String) -> Range<Substring.Index>? {
        guard !target.isEmpty, count >= target.count else { return nil }
        var i = startIndex
        while i < endIndex {
            if self[i...].hasPrefix(target) {
                return i..<index(i, offsetBy: target.count)
            }
            i = index(after: i)
        }
        return nil
    }
}
