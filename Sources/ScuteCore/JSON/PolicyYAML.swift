/// Reads the YAML that policy files are written in into a `JSONValue`: block mappings and sequences,
/// flow lists and mappings (`[a, b]`, `{start: 22, end: 22}`), plain, single- and double-quoted scalars,
/// comments and a leading `---`. Anchors, tags and multi-line scalars are refused with the line named. It
/// is small on purpose: the static defender reads policies with it and carries no YAML library.
public enum PolicyYAML {
    /// An error naming the line of the YAML text.
    public struct ParseError: Error, Equatable, CustomStringConvertible {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public static func parse(_ text: String) throws(ParseError) -> JSONValue {
        var reader = Reader(text: text)
        return try reader.document()
    }
}

private struct Reader {
    struct Line {
        var number: Int
        var indent: Int
        var text: Substring
    }

    var lines: [Line] = []
    var index = 0

    init(text: String) {
        var n = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            n += 1
            var s = raw
            if s.hasSuffix("\r") { s = s.dropLast() }
            let content = Self.stripComment(s)
            let trimmed = content.drop { $0 == " " }
            if trimmed.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            if n == 1 || lines.isEmpty, trimmed.hasPrefix("---") && trimmed.dropFirst(3).allSatisfy({ $0 == " " }) { continue }
            var end = trimmed
            while end.last == " " || end.last == "\t" { end = end.dropLast() }
            lines.append(Line(number: n, indent: content.count - trimmed.count, text: end))
        }
    }

    /// The line without a trailing comment (a `#` at the start or after a space, outside quotes).
    static func stripComment(_ s: Substring) -> Substring {
        var quote: Character?
        var previous: Character = " "
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                if previous == " " || previous == "[" || previous == "{" || previous == "," || previous == ":" || previous == "-" {
                    quote = c
                }
            } else if c == "#" && (previous == " " || previous == "\t") || (c == "#" && i == s.startIndex) {
                return s[..<i]
            }
            previous = c
            i = s.index(after: i)
        }
        return s
    }

    func fail(_ reason: String, _ line: Int? = nil) -> PolicyYAML.ParseError {
        PolicyYAML.ParseError(line: line ?? (index < lines.count ? lines[index].number : (lines.last?.number ?? 1)), reason: reason)
    }

    mutating func document() throws(PolicyYAML.ParseError) -> JSONValue {
        guard index < lines.count else { throw fail("the document is empty", 1) }
        if lines[index].indent != 0 { throw fail("the document must start at the first column") }
        let value = try block(indent: 0)
        if index < lines.count { throw fail("unexpected indentation") }
        return value
    }

    static func isSequenceItem(_ text: Substring) -> Bool { text == "-" || text.hasPrefix("- ") }

    mutating func block(indent: Int) throws(PolicyYAML.ParseError) -> JSONValue {
        let line = lines[index]
        if line.text.hasPrefix("&") || line.text.hasPrefix("*") || line.text.hasPrefix("!") {
            throw fail("anchors, aliases and tags are not supported in policies")
        }
        if Self.isSequenceItem(line.text) { return try sequence(indent: indent) }
        if splitKey(line.text) != nil { return try mapping(indent: indent) }
        index += 1
        return try inline(line.text, line: line.number)
    }

    mutating func sequence(indent: Int) throws(PolicyYAML.ParseError) -> JSONValue {
        var items: [JSONValue] = []
        while index < lines.count, lines[index].indent == indent, Self.isSequenceItem(lines[index].text) {
            let line = lines[index]
            let content = line.text.dropFirst().drop { $0 == " " }
            if content.isEmpty {
                index += 1
                guard index < lines.count, lines[index].indent > indent else {
                    items.append(.null)
                    continue
                }
                items.append(try block(indent: lines[index].indent))
            } else if splitKey(content) != nil || Self.isSequenceItem(content) {
                // "- key: value": a mapping whose keys line up with the first one.
                let column = line.indent + (line.text.count - content.count)
                lines[index] = Line(number: line.number, indent: column, text: content)
                items.append(try block(indent: column))
            } else {
                index += 1
                items.append(try inline(content, line: line.number))
            }
        }
        if index < lines.count, lines[index].indent > indent {
            throw fail("unexpected indentation inside a list")
        }
        return .array(items)
    }

    mutating func mapping(indent: Int) throws(PolicyYAML.ParseError) -> JSONValue {
        var object = JSONObject()
        while index < lines.count, lines[index].indent == indent, !Self.isSequenceItem(lines[index].text) {
            let line = lines[index]
            guard let (key, rest) = splitKey(line.text) else { throw fail("expected \"key: value\"") }
            let name = try scalarKey(key, line: line.number)
            if object[name] != nil { throw fail("duplicate key \"\(name)\"") }
            index += 1
            if !rest.isEmpty {
                object[name] = try inline(rest, line: line.number)
            } else if index < lines.count, lines[index].indent > indent {
                object[name] = try block(indent: lines[index].indent)
            } else if index < lines.count, lines[index].indent == indent, Self.isSequenceItem(lines[index].text) {
                object[name] = try sequence(indent: indent)
            } else {
                object[name] = .null
            }
        }
        if index < lines.count, lines[index].indent > indent {
            throw fail("unexpected indentation inside a mapping")
        }
        return .object(object)
    }

    /// `key: rest` split at the first `: ` (or a final `:`) outside quotes and brackets.
    func splitKey(_ text: Substring) -> (Substring, Substring)? {
        var quote: Character?
        var depth = 0
        var i = text.startIndex
        while i < text.endIndex {
            let c = text[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
            } else if c == "[" || c == "{" {
                depth += 1
            } else if c == "]" || c == "}" {
                depth -= 1
            } else if c == ":" && depth == 0 {
                let next = text.index(after: i)
                if next == text.endIndex || text[next] == " " {
                    let rest = text[next...].drop { $0 == " " }
                    return (text[..<i], rest)
                }
            }
            i = text.index(after: i)
        }
        return nil
    }

    func scalarKey(_ key: Substring, line: Int) throws(PolicyYAML.ParseError) -> String {
        let value = try inline(key, line: line)
        switch value {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: throw fail("a key must be a plain string", line)
        }
    }

    func inline(_ text: Substring, line: Int) throws(PolicyYAML.ParseError) -> JSONValue {
        var flow = Flow(chars: Array(text), line: line)
        let value = try flow.value(topLevel: true)
        flow.skipSpaces()
        if flow.pos < flow.chars.count { throw PolicyYAML.ParseError(line: line, reason: "unexpected \"\(flow.chars[flow.pos])\"") }
        return value
    }
}

/// Flow collections and scalars on one line.
private struct Flow {
    let chars: [Character]
    let line: Int
    var pos = 0

    func fail(_ reason: String) -> PolicyYAML.ParseError { PolicyYAML.ParseError(line: line, reason: reason) }

    mutating func skipSpaces() {
        while pos < chars.count && (chars[pos] == " " || chars[pos] == "\t") { pos += 1 }
    }

    mutating func value(topLevel: Bool) throws(PolicyYAML.ParseError) -> JSONValue {
        skipSpaces()
        guard pos < chars.count else { return .null }
        switch chars[pos] {
        case "[":
            pos += 1
            var items: [JSONValue] = []
            skipSpaces()
            if pos < chars.count && chars[pos] == "]" {
                pos += 1
                return .array(items)
            }
            while true {
                items.append(try value(topLevel: false))
                skipSpaces()
                guard pos < chars.count else { throw fail("unterminated [ list") }
                if chars[pos] == "," {
                    pos += 1
                    continue
                }
                if chars[pos] == "]" {
                    pos += 1
                    return .array(items)
                }
                throw fail("expected , or ] in a list")
            }
        case "{":
            pos += 1
            var object = JSONObject()
            skipSpaces()
            if pos < chars.count && chars[pos] == "}" {
                pos += 1
                return .object(object)
            }
            while true {
                let key = try value(topLevel: false)
                skipSpaces()
                guard pos < chars.count, chars[pos] == ":" else { throw fail("expected : after a key in { }") }
                pos += 1
                let name: String
                switch key {
                case .string(let s): name = s
                case .number(let n): name = n
                default: throw fail("a key must be a plain string")
                }
                if object[name] != nil { throw fail("duplicate key \"\(name)\"") }
                object[name] = try value(topLevel: false)
                skipSpaces()
                guard pos < chars.count else { throw fail("unterminated { mapping") }
                if chars[pos] == "," {
                    pos += 1
                    skipSpaces()
                    continue
                }
                if chars[pos] == "}" {
                    pos += 1
                    return .object(object)
                }
                throw fail("expected , or } in a mapping")
            }
        case "'":
            pos += 1
            var s = ""
            while pos < chars.count {
                if chars[pos] == "'" {
                    if pos + 1 < chars.count && chars[pos + 1] == "'" {
                        s.append("'")
                        pos += 2
                        continue
                    }
                    pos += 1
                    return .string(s)
                }
                s.append(chars[pos])
                pos += 1
            }
            throw fail("unterminated single-quoted string")
        case "\"":
            let start = pos
            pos += 1
            while pos < chars.count && chars[pos] != "\"" {
                if chars[pos] == "\\" { pos += 1 }
                pos += 1
            }
            guard pos < chars.count else { throw fail("unterminated double-quoted string") }
            pos += 1
            do {
                return try JSONValue.parse(String(chars[start..<pos]))
            } catch {
                throw fail("invalid double-quoted string: \(error.reason)")
            }
        case "&", "*", "!", "|", ">":
            throw fail("anchors, aliases, tags and block scalars are not supported in policies")
        default:
            let start = pos
            while pos < chars.count {
                let c = chars[pos]
                if !topLevel && (c == "," || c == "]" || c == "}") { break }
                if !topLevel && c == ":" && (pos + 1 == chars.count || chars[pos + 1] == " ") { break }
                pos += 1
            }
            var text = String(chars[start..<pos])
            while text.last == " " { text.removeLast() }
            return Self.plain(text)
        }
    }

    static func plain(_ text: String) -> JSONValue {
        switch text {
        case "null", "Null", "NULL", "~", "": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default:
            if let first = text.first, first == "-" || first.isNumber, (try? JSONValue.parse(text))?.doubleValue != nil {
                return .number(text)
            }
            return .string(text)
        }
    }
}
