import ScuteCore
import Yams

/// A YAML node with the line range it occupies in the source, so that an edit can rewrite one entry and
/// leave every other byte of the template where it was.
indirect enum YAMLTree {
    struct Entry {
        var key: String
        /// 0-based line of the key.
        var line: Int
        /// 0-based column of the key.
        var column: Int
        var value: YAMLTree
        /// The line after the entry's last line.
        var end: Int
    }

    struct Item {
        var line: Int
        /// The column of the item's dash.
        var dash: Int
        var value: YAMLTree
        var end: Int
    }

    case mapping(block: Bool, entries: [Entry], json: JSONValue)
    case sequence(block: Bool, items: [Item], json: JSONValue)
    case scalar(json: JSONValue)

    var json: JSONValue {
        switch self {
        case .mapping(_, _, let j), .sequence(_, _, let j), .scalar(let j): return j
        }
    }
}

/// Reads YAML into `YAMLTree`s, turning CloudFormation's short-form intrinsics (`!Ref X`, `!Sub ...`) into
/// single-key objects whose key is the tag (`{"!Ref": "X"}`), which `YAMLEmitter` writes back in short form.
struct YAMLReader {
    let lines: [Substring]

    init(text: String) {
        self.lines = text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    static func compose(_ text: String) throws(EmbedError) -> Node {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw EmbedError.invalidInput("the template is empty")
            }
            return node
        } catch let error as EmbedError {
            throw error
        } catch {
            throw EmbedError.invalidInput("the template is not valid YAML: \(error)")
        }
    }

    /// Converts a node to JSON, with tags kept as `{"!Tag": value}`.
    static func json(_ node: Node) throws(EmbedError) -> JSONValue {
        let tagName = rawTag(node)
        let plain: JSONValue
        switch node {
        case .scalar(let s):
            if tagName != nil || s.style != .plain {
                plain = .string(s.string)
            } else {
                plain = plainScalar(s.string, tag: node.tag.rawValue)
            }
        case .mapping(let m):
            var o = JSONObject()
            for pair in m {
                guard case .scalar(let k) = pair.key else {
                    throw EmbedError.invalidInput("line \(line(of: pair.key)): mapping keys must be plain strings")
                }
                if o[k.string] != nil {
                    throw EmbedError.invalidInput("line \(line(of: pair.key)): duplicate key \"\(k.string)\"")
                }
                o[k.string] = try json(pair.value)
            }
            plain = .object(o)
        case .sequence(let s):
            var a: [JSONValue] = []
            for n in s { a.append(try json(n)) }
            plain = .array(a)
        case .alias:
            throw EmbedError.invalidInput("line \(line(of: node)): YAML aliases are not supported inside task definitions")
        }
        if let tagName { return .object(JSONObject([tagName: plain])) }
        return plain
    }

    /// The explicit local tag of a node (`!Ref`), nil for YAML's own tags and untagged nodes.
    static func rawTag(_ node: Node) -> String? {
        let raw: String
        switch node {
        case .scalar(let s): raw = s.tag.rawValue
        case .mapping(let m): raw = m.tag.rawValue
        case .sequence(let s): raw = s.tag.rawValue
        case .alias: return nil
        }
        if raw.hasPrefix("!") && raw.count > 1 && !raw.hasPrefix("!!") { return raw }
        return nil
    }

    static func line(of node: Node) -> Int { node.mark?.line ?? 0 }

    static func plainScalar(_ text: String, tag: String) -> JSONValue {
        switch tag {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue:
            let l = text.lowercased()
            return .bool(l == "true" || l == "yes" || l == "on" || l == "y")
        case Tag.Name.int.rawValue, Tag.Name.float.rawValue:
            if (try? JSONValue.parse(text))?.doubleValue != nil { return .number(text) }
            return .string(text)
        default:
            return .string(text)
        }
    }

    // MARK: Ranges

    func indent(_ i: Int) -> Int? {
        let l = lines[i]
        var n = 0
        for ch in l.utf8 {
            if ch == UInt8(ascii: " ") {
                n += 1
            } else {
                if ch == UInt8(ascii: "#") || ch == UInt8(ascii: "\r") { return nil }
                return n
            }
        }
        return nil
    }

    func startsWithDash(_ i: Int, at column: Int) -> Bool {
        let bytes = Array(lines[i].utf8)
        guard column < bytes.count, bytes[column] == UInt8(ascii: "-") else { return false }
        return column + 1 == bytes.count || bytes[column + 1] == UInt8(ascii: " ")
    }

    /// The line after a block that starts on `line` and holds everything indented deeper than `column`
    /// (plus, when `dashes` is set, sequence items at exactly `column`); trailing blank and comment lines
    /// are left to whatever follows.
    func blockEnd(from line: Int, column: Int, dashes: Bool) -> Int {
        var last = line
        var i = line + 1
        while i < lines.count {
            let text = lines[i]
            if text.hasPrefix("---") || text.hasPrefix("...") { break }
            guard let ind = indent(i) else {
                i += 1
                continue
            }
            if ind > column || (dashes && ind == column && startsWithDash(i, at: column)) {
                last = i
                i += 1
                continue
            }
            break
        }
        return last + 1
    }

    /// Whether a block key at `column` opens its line (after indentation or a sequence item's dash), which
    /// tells a block mapping from a flow one.
    func startsLine(line: Int, column: Int) -> Bool {
        let bytes = Array(lines[line].utf8)
        guard column <= bytes.count else { return false }
        for b in bytes[..<column] where b != UInt8(ascii: " ") && b != UInt8(ascii: "-") { return false }
        return true
    }

    /// The 0-based column of the dash that introduces an item whose content starts at `column` on `line`.
    func dashColumn(line: Int, before column: Int) -> Int? {
        let bytes = Array(lines[line].utf8)
        var c = min(column, bytes.count) - 1
        while c >= 0 {
            if bytes[c] == UInt8(ascii: "-") { return c }
            if bytes[c] != UInt8(ascii: " ") { return nil }
            c -= 1
        }
        return nil
    }

    /// Builds the tree of a node that is the value of an entry whose key is at (`keyLine`, `keyColumn`).
    func tree(_ node: Node) throws(EmbedError) -> YAMLTree {
        let json = try Self.json(node)
        if Self.rawTag(node) != nil { return .scalar(json: json) }
        switch node {
        case .mapping(let m):
            guard m.style != .flow else { return .mapping(block: false, entries: [], json: json) }
            var entries: [YAMLTree.Entry] = []
            for pair in m {
                guard case .scalar(let k) = pair.key, let mark = k.mark,
                    startsLine(line: mark.line - 1, column: mark.column - 1)
                else {
                    return .mapping(block: false, entries: [], json: json)
                }
                entries.append(
                    YAMLTree.Entry(
                        key: k.string,
                        line: mark.line - 1,
                        column: mark.column - 1,
                        value: try tree(pair.value),
                        end: 0
                    )
                )
            }
            for i in entries.indices {
                if i + 1 < entries.count {
                    entries[i].end = trimmedEnd(entries[i + 1].line)
                } else {
                    entries[i].end = blockEnd(from: entries[i].line, column: entries[i].column, dashes: true)
                }
            }
            return .mapping(block: true, entries: entries, json: json)
        case .sequence(let s):
            guard s.style != .flow else { return .sequence(block: false, items: [], json: json) }
            var items: [YAMLTree.Item] = []
            for n in s {
                guard let mark = n.mark, let dash = dashColumn(line: mark.line - 1, before: mark.column - 1) else {
                    return .sequence(block: false, items: [], json: json)
                }
                items.append(YAMLTree.Item(line: mark.line - 1, dash: dash, value: try tree(n), end: 0))
            }
            for i in items.indices {
                if i + 1 < items.count {
                    items[i].end = trimmedEnd(items[i + 1].line)
                } else {
                    items[i].end = blockEnd(from: items[i].line, column: items[i].dash, dashes: false)
                }
            }
            return .sequence(block: true, items: items, json: json)
        default:
            return .scalar(json: json)
        }
    }

    /// The end of an entry that the next one starts at `next`: blank and comment lines just before the next
    /// entry stay with it.
    func trimmedEnd(_ next: Int) -> Int {
        var end = next
        while end > 0 && indent(end - 1) == nil { end -= 1 }
        return end
    }
}
