extension CodeDetector {
    /// `@{[ system 'id' ]}`: Perl array interpolation running code.
    static func perlInterpolation(_ text: [UInt8]) -> DetectorHit? {
        var from = 0
        while let at = text[from...].firstIndex(of: UInt8(ascii: "@")) {
            from = at + 1
            var cursor = at + 1
            while cursor < text.count && text[cursor] == UInt8(ascii: "@") { cursor += 1 }
            guard cursor < text.count, text[cursor] == UInt8(ascii: "{") else { continue }
            cursor += 1
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            if cursor < text.count, text[cursor] == UInt8(ascii: "[") { return DetectorHit(.codePerl, at, min(cursor + 16, text.count)) }
        }
        return nil
    }

    /// `while(true);`, `while(!0)`: a loop that never ends.
    static func infiniteLoop(_ text: [UInt8]) -> DetectorHit? {
        var from = 0
        while let found = text.firstIndex(ofLowercase: "while", from: from) {
            from = found + 5
            if found > 0, ByteClass.isWord(text[found - 1]) { continue }
            let open = HTMLDetector.skipSpaceAndComments(text, found + 5)
            guard open < text.count, text[open] == UInt8(ascii: "("), let close = text[open...].prefix(24).firstIndex(of: UInt8(ascii: ")")) else {
                continue
            }
            var condition: [UInt8] = []
            for byte in text[(open + 1)..<close] where !ByteClass.isSpace(byte) && !ByteClass.oneOf(byte, "!+-~") { condition.append(byte) }
            let constant = condition.isEmpty ? false : condition.allSatisfy(ByteClass.isDigit) || Self.truthy.contains(condition)
            var after = close + 1
            while after < text.count && ByteClass.isSpace(text[after]) { after += 1 }
            let statementEnd = after >= text.count || ByteClass.oneOf(text[after], ";{)")
            if constant && statementEnd { return DetectorHit(.codeLoop, found, close + 1) }
        }
        return nil
    }

    static let truthy: Set<[UInt8]> = Set(
        ["true", "false", "this", "string", "newdate", "date", "[]", "``", "\"\"", "''", "null", "undefined", "nan", "object", "{}"].map {
            Array($0.utf8)
        }
    )

    static let ormLookups: Set<[UInt8]> = Set(
        [
            "exact", "iexact", "contains", "icontains", "in", "gt", "gte", "lt", "lte", "startswith", "istartswith", "endswith",
            "iendswith", "range", "regex", "iregex", "isnull", "has_key", "has_keys", "has_any_keys", "search", "year", "date",
        ].map { Array($0.utf8) }
    )

    /// `user__profile__password__startswith`: a filter that walks relations to reach other tables' fields.
    static func ormTraversal(_ name: [UInt8]) -> DetectorHit? {
        guard name.count > 8 else { return nil }
        var parts: [ArraySlice<UInt8>] = []
        var start = 0
        var index = 0
        while index + 1 < name.count {
            if name[index] == UInt8(ascii: "_"), name[index + 1] == UInt8(ascii: "_"), index > start {
                parts.append(name[start..<index])
                index += 2
                start = index
                continue
            }
            index += 1
        }
        parts.append(name[start...])
        guard parts.count >= 3, let last = parts.last, ormLookups.contains(Array(last)) else { return nil }
        return DetectorHit(.codeORM, 0, name.count)
    }

    /// `{{7*7}}`, `#{runtime.exec('id')}`, `${T(java.lang.Runtime)}`, `{{''.__class__}}`: expressions that compute.
    static func templateExpression(_ text: [UInt8]) -> DetectorHit? {
        let openers: [(StaticString, StaticString)] = [("{{", "}}"), ("${", "}"), ("#{", "}"), ("*{", "}"), ("<%=", "%>"), ("{%", "%}"), ("@(", ")")]
        for (open, close) in openers {
            var from = 0
            while let found = text.firstIndex(ofLowercase: open, from: from) {
                from = found + open.utf8CodeUnitCount
                let bodyStart = found + open.utf8CodeUnitCount
                let bodyEnd = text.firstIndex(ofLowercase: close, from: bodyStart) ?? text.count
                guard bodyEnd - bodyStart <= 240, bodyEnd > bodyStart else { continue }
                let body = Array(text[bodyStart..<bodyEnd])
                if computes(body) { return DetectorHit(.ssti, found, min(bodyEnd + 2, text.count)) }
            }
        }
        for marker: StaticString in ["<#assign", "#set(", "freemarker.template", "$class.inspect", "th:text", "__${"] {
            if let found = text.firstIndex(ofLowercase: marker) { return DetectorHit(.ssti, found, min(found + 24, text.count)) }
        }
        return nil
    }

    static func computes(_ body: [UInt8]) -> Bool {
        // Arithmetic between numbers.
        var index = 0
        while index < body.count {
            if ByteClass.isDigit(body[index]) {
                var cursor = index
                while cursor < body.count && ByteClass.isDigit(body[cursor]) { cursor += 1 }
                while cursor < body.count && ByteClass.isSpace(body[cursor]) { cursor += 1 }
                if cursor + 1 < body.count, ByteClass.oneOf(body[cursor], "*+-/%") {
                    var next = cursor + 1
                    while next < body.count && ByteClass.isSpace(body[next]) { next += 1 }
                    if next < body.count, ByteClass.isDigit(body[next]) { return true }
                }
                index = cursor + 1
                continue
            }
            index += 1
        }
        // Calls, dunders and object walking.
        if body.contains(UInt8(ascii: "(")) && body.contains(where: ByteClass.isLetter) { return true }
        for marker: StaticString in [
            "__", ".class", "getclass", "constructor", "config.", "self.", "request.", "lipsum", "cycler", "|attr", "joiner", "namespace",
        ] {
            if body.firstIndex(ofLowercase: marker) != nil { return true }
        }
        return false
    }

    /// `)(uid=*`, `)(&)`, `)!(sn=*`, `)|(`: closing an LDAP filter and opening another.
    static func ldapFilter(_ text: [UInt8]) -> DetectorHit? {
        var from = 0
        while let close = text[from...].firstIndex(of: UInt8(ascii: ")")) {
            from = close + 1
            var cursor = close + 1
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            var operatorFirst = false
            if cursor < text.count, text[cursor] == UInt8(ascii: "!") || text[cursor] == UInt8(ascii: "|") || text[cursor] == UInt8(ascii: "&") {
                operatorFirst = true
                cursor += 1
                while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            }
            guard cursor < text.count, text[cursor] == UInt8(ascii: "(") else { continue }
            cursor += 1
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            guard cursor < text.count else {
                if operatorFirst { return DetectorHit(.ldapi, close, text.count) }
                continue
            }
            let next = text[cursor]
            if operatorFirst || next == UInt8(ascii: "&") || next == UInt8(ascii: "|") || next == UInt8(ascii: "!") {
                return DetectorHit(.ldapi, close, min(cursor + 12, text.count))
            }
            var end = cursor
            while end < text.count, ByteClass.isWord(text[end]) || text[end] == UInt8(ascii: "-") { end += 1 }
            guard end > cursor, end < text.count else { continue }
            var op = end
            if ByteClass.oneOf(text[op], "~<>") { op += 1 }
            if op < text.count, text[op] == UInt8(ascii: "=") { return DetectorHit(.ldapi, close, min(op + 8, text.count)) }
        }
        return nil
    }

    /// `() { :; };` at the start of a value: bash imports it as a function and runs what follows.
    static func shellshock(_ text: [UInt8]) -> DetectorHit? {
        var cursor = 0
        while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
        guard cursor + 1 < text.count, text[cursor] == UInt8(ascii: "(") else { return nil }
        var next = cursor + 1
        while next < text.count && ByteClass.isSpace(text[next]) { next += 1 }
        guard next < text.count, text[next] == UInt8(ascii: ")") else { return nil }
        next += 1
        while next < text.count && ByteClass.isSpace(text[next]) { next += 1 }
        guard next < text.count, text[next] == UInt8(ascii: "{") else { return nil }
        return DetectorHit(.shellshock, cursor, min(next + 12, text.count))
    }
}
