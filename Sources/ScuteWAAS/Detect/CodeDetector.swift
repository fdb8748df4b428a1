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
    static func wrappedCall(_ text: [UInt8]) -> Bool {
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
}
