import ScuteCore

/// Turns the difference between a YAML tree and the JSON it should hold into line edits: changed entries
/// are rewritten, added entries and items inserted, removed ones deleted, and every other line kept.
struct YAMLPatcher {
    struct Edit {
        var start: Int
        var end: Int
        var lines: [String]
    }

    var emitter: YAMLEmitter
    private(set) var edits: [Edit] = []

    init(emitter: YAMLEmitter) { self.emitter = emitter }

    /// Patches the content of a block mapping (`entries`, keys at `column`) to hold `target`.
    mutating func patchMapping(entries: [YAMLTree.Entry], column: Int, target: JSONObject) {
        var appendAt = entries.last?.end ?? 0
        for e in entries where target[e.key] == nil {
            edits.append(Edit(start: e.line, end: e.end, lines: []))
        }
        for e in entries {
            guard let newValue = target[e.key], newValue != e.value.json else { continue }
            patchEntry(e, newValue)
        }
        let known = Set(entries.map(\.key))
        var added: [String] = []
        for m in target.members where !known.contains(m.key) {
            added.append(contentsOf: emitter.entry(m.key, m.value, indent: column))
        }
        if !added.isEmpty {
            if entries.isEmpty { appendAt = 0 }
            edits.append(Edit(start: appendAt, end: appendAt, lines: added))
        }
    }

    private mutating func patchEntry(_ e: YAMLTree.Entry, _ newValue: JSONValue) {
        switch (e.value, newValue) {
        case (.mapping(true, let entries, _), .object(let o)) where !entries.isEmpty && YAMLEmitter.tag(of: newValue) == nil:
            patchMapping(entries: entries, column: entries[0].column, target: o)
        case (.sequence(true, let items, _), .array(let a)) where !items.isEmpty && !a.isEmpty:
            if !patchSequence(items: items, target: a) { replace(e, newValue) }
        default:
            replace(e, newValue)
        }
    }

    mutating func replace(_ e: YAMLTree.Entry, _ newValue: JSONValue) {
        // A one-line flow collection stays a one-line flow collection while it stays short.
        switch e.value {
        case .sequence(false, _, _), .mapping(false, _, _):
            if e.end == e.line + 1, let flow = emitter.flow(newValue), YAMLEmitter.tag(of: newValue) == nil,
                flow.count + e.column <= 160
            {
                let pad = String(repeating: " ", count: e.column)
                edits.append(Edit(start: e.line, end: e.end, lines: ["\(pad)\(YAMLEmitter.scalar(e.key)): \(flow)"]))
                return
            }
        default:
            break
        }
        edits.append(Edit(start: e.line, end: e.end, lines: emitter.entry(e.key, newValue, indent: e.column)))
    }

    /// Patches a block sequence to hold `target` when the change is items appended, items put in front, or
    /// items removed, with the kept items patched in place. Returns false when the change is none of these.
    mutating func patchSequence(items: [YAMLTree.Item], target: [JSONValue]) -> Bool {
        let old = items.map(\.value.json)
        let dash = items[0].dash
        // Items put in front (the defender's entry point prefix).
        if target.count > old.count && Array(target.suffix(old.count)) == old {
            let front = target.prefix(target.count - old.count).flatMap { emitter.item($0, dash: dash) }
            edits.append(Edit(start: items[0].line, end: items[0].line, lines: front))
            return true
        }
        // Items patched in place, then appended.
        if target.count >= old.count && zip(old, target).allSatisfy({ compatible($0, $1) }) {
            var saved = edits
            for (item, newValue) in zip(items, target) where item.value.json != newValue {
                guard patchItem(item, newValue) else {
                    edits = saved
                    return false
                }
            }
            if target.count > old.count {
                let added = target.suffix(target.count - old.count).flatMap { emitter.item($0, dash: dash) }
                edits.append(Edit(start: items.last!.end, end: items.last!.end, lines: added))
            }
            saved = []
            return true
        }
        // Items removed: walk both lists, deleting old items that have no counterpart.
        if target.count < old.count {
            let saved = edits
            var j = 0
            for (i, item) in items.enumerated() {
                let remainingOld = items.count - i
                let remainingNew = target.count - j
                if j < target.count && (old[i] == target[j] || (compatible(old[i], target[j]) && sameIdentity(old[i], target[j]))) {
                    if old[i] != target[j] && !patchItem(item, target[j]) {
                        edits = saved
                        return false
                    }
                    j += 1
                } else if remainingOld > remainingNew {
                    edits.append(Edit(start: item.line, end: item.end, lines: []))
                } else {
                    edits = saved
                    return false
                }
            }
            if j == target.count { return true }
            edits = saved
            return false
        }
        return false
    }

    private mutating func patchItem(_ item: YAMLTree.Item, _ newValue: JSONValue) -> Bool {
        switch (item.value, newValue) {
        case (.mapping(true, let entries, _), .object(let o)) where !entries.isEmpty && YAMLEmitter.tag(of: newValue) == nil:
            patchMapping(entries: entries, column: entries[0].column, target: o)
        default:
            edits.append(Edit(start: item.line, end: item.end, lines: emitter.item(newValue, dash: item.dash)))
        }
        return true
    }

    private func compatible(_ a: JSONValue, _ b: JSONValue) -> Bool {
        if a == b { return true }
        if case .object = a, case .object = b { return sameIdentity(a, b) }
        return false
    }

    /// Objects that name the same thing (a container, a variable): same `Name`, or neither has one.
    private func sameIdentity(_ a: JSONValue, _ b: JSONValue) -> Bool {
        guard case .object(let x) = a, case .object(let y) = b else { return false }
        if YAMLEmitter.tag(of: a) != nil || YAMLEmitter.tag(of: b) != nil { return false }
        return x["Name"] == y["Name"]
    }

    /// Applies the edits to the source lines.
    func apply(to lines: [Substring]) -> String {
        let sorted = edits.enumerated().sorted { ($0.element.start, $0.offset) < ($1.element.start, $1.offset) }.map(\.element)
        var out: [String] = []
        var i = 0
        for edit in sorted {
            while i < edit.start && i < lines.count {
                out.append(String(lines[i]))
                i += 1
            }
            out.append(contentsOf: edit.lines)
            i = max(i, edit.end)
        }
        while i < lines.count {
            out.append(String(lines[i]))
            i += 1
        }
        return out.joined(separator: "\n")
    }
}
