/// Code-injection shapes that need a little parsing: PHP tags, serialized objects and variable calls, Perl
/// interpolation, infinite loops, ORM filter traversal, template expressions, LDAP filters, shellshock.
enum CodeDetector {
    static func phpOpenTag(_ text: [UInt8]) -> DetectorHit? {
        var from = 0
        while let open = text.firstIndex(ofLowercase: "<?", from: from) {
            from = open + 2
            let after = open + 2
            guard after < text.count else { return DetectorHit(.phpOpenTag, open, after) }
            let next = text[after]
            if next == UInt8(ascii: "=") || text.hasLowercasePrefix("php", at: after) {
                return DetectorHit(.phpOpenTag, open, min(after + 12, text.count))
            }
            if ByteClass.isSpace(next) {
                // `<? ` opens PHP only if code follows (a call, a variable, a statement end, a PHP keyword).
                var word = after
                while word < text.count && ByteClass.isSpace(text[word]) { word += 1 }
                for keyword: StaticString in ["php", "echo", "print", "system", "exec", "eval", "include", "require", "passthru"]
                where text.hasLowercasePrefix(keyword, at: word) {
                    return DetectorHit(.phpOpenTag, open, min(word + 12, text.count))
                }
                let window = text[after..<min(after + 48, text.count)]
                if window.contains(where: { $0 == UInt8(ascii: "(") || $0 == UInt8(ascii: "$") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "`") }
                ) {
                    return DetectorHit(.phpOpenTag, open, min(after + 12, text.count))
                }
            }
            if text.hasLowercasePrefix("xml", at: after) {
                var cursor = after + 3
                if cursor < text.count, text[cursor] == UInt8(ascii: "-") { continue }
                while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
                if cursor >= text.count || text.hasLowercasePrefix("version", at: cursor) || text.hasLowercasePrefix("?>", at: cursor) { continue }
                return DetectorHit(.phpOpenTag, open, min(after + 12, text.count))
            }
        }
        for tag: StaticString in ["[php]", "{php}", "[/php]", "{/php}"] {
            if let found = text.firstIndex(ofLowercase: tag) { return DetectorHit(.phpOpenTag, found, found + tag.utf8CodeUnitCount) }
        }
        return nil
    }

    /// `O:8:"stdClass":0:{}`, `a:2:{...}`: PHP serialization.
    static func phpSerialized(_ text: [UInt8]) -> DetectorHit? {
        var index = 0
        while index + 4 < text.count {
            defer { index += 1 }
            let kind = text[index]
            guard kind == UInt8(ascii: "o") || kind == UInt8(ascii: "c") || kind == UInt8(ascii: "a"), text[index + 1] == UInt8(ascii: ":") else {
                continue
            }
            if index > 0, ByteClass.isLetter(text[index - 1]) { continue }
            var cursor = index + 2
            while cursor < text.count && ByteClass.isDigit(text[cursor]) { cursor += 1 }
            guard cursor > index + 2, cursor + 1 < text.count, text[cursor] == UInt8(ascii: ":") else { continue }
            let opener = text[cursor + 1]
            if (kind == UInt8(ascii: "a") && opener == UInt8(ascii: "{")) || (kind != UInt8(ascii: "a") && opener == UInt8(ascii: "\"")) {
                return DetectorHit(.phpObject, index, min(cursor + 24, text.count))
            }
        }
        return nil
    }

    /// `$_(3)`, `${@a}(10)`, `$__[$_[1]](7)`, `(system)('id')`: calling a function through a variable.
    static func phpVariableCall(_ text: [UInt8]) -> DetectorHit? {
        var from = 0
        while let dollar = text[from...].firstIndex(of: UInt8(ascii: "$")) {
            from = dollar + 1
            var cursor = dollar + 1
            var nameBytes = 0
            var steps = 0
            while cursor < text.count && steps < 80 {
                steps += 1
                let byte = text[cursor]
                if ByteClass.isWord(byte) {
                    if nameBytes == 0 && ByteClass.isDigit(byte) { break }
                    nameBytes += 1
                    cursor += 1
                } else if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") {
                    guard let end = matchingClose(text, from: cursor), end > cursor + 1 else { break }
                    if text[(cursor + 1)..<end].contains(where: ByteClass.isWord) { nameBytes += 1 }
                    cursor = HTMLDetector.skipSpaceAndComments(text, end + 1)
                } else if byte == UInt8(ascii: ")") && dollar > 0 && text[dollar - 1] == UInt8(ascii: "(") && nameBytes > 0 {
                    // `($y)('uname')`
                    cursor += 1
                } else if byte == UInt8(ascii: "@") || byte == UInt8(ascii: "$") {
                    cursor += 1
                } else if byte == UInt8(ascii: "-"), cursor + 1 < text.count, text[cursor + 1] == UInt8(ascii: ">") {
                    cursor += 2
                } else {
                    break
                }
            }
            guard nameBytes > 0 else { continue }
            var paren = HTMLDetector.skipSpaceAndComments(text, cursor)
            if paren + 1 < text.count, text[paren] == UInt8(ascii: "/"), text[paren + 1] == UInt8(ascii: "/") || text[paren] == UInt8(ascii: "#") {
                // A line comment ends at the newline; the call may follow on the next line.
                guard let newline = text[paren...].firstIndex(of: 0x0A) else { continue }
                paren = HTMLDetector.skipSpaceAndComments(text, newline + 1)
            }
            if paren < text.count, text[paren] == UInt8(ascii: "("), paren > cursor || text[dollar + 1] != UInt8(ascii: "(") {
                return DetectorHit(.phpVariableCall, dollar, min(paren + 8, text.count))
            }
        }
        guard wrappedCall(text) else { return nil }
        for name in ["system", "exec", "passthru", "shell_exec", "popen", "proc_open", "assert", "eval", "pcntl_exec"] {
            var start = 0
            let bytes = Array(name.utf8)
            while let found = text.firstIndex(ofBytes: bytes, from: start) {
                start = found + 1
                if found > 0, ByteClass.isWord(text[found - 1]) { continue }
                var before = found - 1
                while before >= 0, ByteClass.isSpace(text[before]) || text[before] == UInt8(ascii: "'") || text[before] == UInt8(ascii: "\"") {
                    before -= 1
                }
                let quoted =
                    found > 0 && (text[found - 1] == UInt8(ascii: "\"") || text[found - 1] == UInt8(ascii: "'"))
                    && found + bytes.count < text.count && text[found + bytes.count] == text[found - 1]
                guard quoted || (before >= 0 && (text[before] == UInt8(ascii: "(") || text[before] == UInt8(ascii: "["))) else { continue }
                var cursor = found + bytes.count
                var closed = false
                while cursor < text.count && cursor - found < 40 {
                    let byte = text[cursor]
                    if byte == UInt8(ascii: ")") || byte == UInt8(ascii: "]") {
                        closed = true
                    } else if !(ByteClass.isSpace(byte) || byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "[")
                        || ByteClass.isDigit(byte))
                    {
                        break
                    }
                    cursor = HTMLDetector.skipSpaceAndComments(text, cursor + 1)
                }
                if closed || quoted, cursor < text.count, text[cursor] == UInt8(ascii: "(") {
                    return DetectorHit(.phpVariableCall, max(before, 0), min(cursor + 8, text.count))
                }
            }
        }
        return nil
    }

    /// True when some `(` directly follows `)`, `]` or a quote: the shape of `(system)(...)` and `"system"(...)`.
    private static func wrappedCall(_ text: [UInt8]) -> Bool {
        var index = 1
        while index < text.count {
            if text[index] == UInt8(ascii: "(") {
                var before = index - 1
                while before > 0 && ByteClass.isSpace(text[before]) { before -= 1 }
                if ByteClass.oneOf(text[before], ")]'\"/") { return true }
            }
            index += 1
        }
        return false
    }

    /// The index of the bracket closing the one at `open`, counting nesting, within 60 bytes.
    static func matchingClose(_ text: [UInt8], from open: Int) -> Int? {
        var depth = 0
        var index = open
        while index < text.count && index - open < 60 {
            let byte = text[index]
            if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
            if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    /// `$ {'_VAR'}`, `${$a}`: PHP variable variables.
    static func phpVariableVariable(_ text: [UInt8]) -> DetectorHit? {
        var from = 0
        while let dollar = text[from...].firstIndex(of: UInt8(ascii: "$")) {
            from = dollar + 1
            var cursor = dollar + 1
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            guard cursor < text.count, text[cursor] == UInt8(ascii: "{"), let close = matchingClose(text, from: cursor) else { continue }
            let body = text[(cursor + 1)..<close]
            if body.contains(where: { $0 == UInt8(ascii: "'") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "$") }) && cursor > dollar + 1 {
                return DetectorHit(.phpVariable, dollar, close + 1)
            }
        }
        return nil
    }

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

    private static let truthy: Set<[UInt8]> = Set(
        ["true", "false", "this", "string", "newdate", "date", "[]", "``", "\"\"", "''", "null", "undefined", "nan", "object", "{}"].map {
            Array($0.utf8)
        }
    )

    private static let ormLookups: Set<[UInt8]> = Set(
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

    private static func computes(_ body: [UInt8]) -> Bool {
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
