/// A SQL tokenizer in the spirit of libinjection: it reads any bytes as SQL, from one of three starting
/// contexts (as is, inside a single-quoted string, inside a double-quoted string), into token classes.
struct SQLTokenizer {
    enum Context: Sendable {
        case bare
        case singleQuote
        case doubleQuote
    }

    /// Quoted contexts only matter near the quote that closes the string; the bare context is read whole.
    static let maxQuotedTokens = 24
    static let maxBareTokens = 2048

    /// Set when a MySQL executable comment (`/*! ... */`) or a comment between words was seen.
    private(set) var sawExecutableComment = false
    private(set) var sawInlineComment = false
    private let text: [UInt8]
    private var index = 0

    init(_ lowercased: [UInt8]) {
        self.text = lowercased
    }

    /// Tokens of the input read from `context`; in a quoted context the first token is the string the input closes.
    mutating func tokens(from context: Context) -> [SQLToken] {
        var tokens: [SQLToken] = []
        tokens.reserveCapacity(12)
        index = 0
        switch context {
        case .bare: break
        case .singleQuote, .doubleQuote:
            let quote = context == .singleQuote ? UInt8(ascii: "'") : UInt8(ascii: "\"")
            guard let close = closingQuote(quote, from: 0) else { return [] }
            tokens.append(SQLToken(kind: .string, role: [], start: 0, end: close + 1, word: []))
            index = close + 1
        }
        let limit = context == .bare ? SQLTokenizer.maxBareTokens : SQLTokenizer.maxQuotedTokens
        while index < text.count && tokens.count < limit {
            guard let token = next(previous: tokens.last) else { break }
            tokens.append(token)
            if token.kind == .comment && context != .bare { break }
        }
        return tokens
    }

    /// Index of the quote that ends a string starting before `from`: doubled quotes and backslashes escape.
    private func closingQuote(_ quote: UInt8, from: Int) -> Int? {
        var cursor = from
        while cursor < text.count {
            let byte = text[cursor]
            if byte == UInt8(ascii: "\\") {
                cursor += 2
                continue
            }
            if byte == quote {
                if cursor + 1 < text.count, text[cursor + 1] == quote {
                    cursor += 2
                    continue
                }
                return cursor
            }
            cursor += 1
        }
        return nil
    }

    private mutating func next(previous: SQLToken?) -> SQLToken? {
        while index < text.count {
            let byte = text[index]
            if ByteClass.isSpace(byte) || byte == UInt8(ascii: "[") || byte == UInt8(ascii: "]") || byte == 0x0B {
                index += 1
                continue
            }
            let start = index
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                if let close = closingQuote(byte, from: index + 1) {
                    index = close + 1
                    return SQLToken(kind: .string, role: [], start: start, end: index, word: [])
                }
                index = text.count
                return SQLToken(kind: .string, role: .open, start: start, end: index, word: [])
            case UInt8(ascii: "`"):
                var end = index + 1
                while end < text.count && text[end] != UInt8(ascii: "`") { end += 1 }
                index = min(end + 1, text.count)
                return SQLToken(kind: .bareword, role: .quotedIdentifier, start: start, end: index, word: [])
            case UInt8(ascii: "/") where index + 1 < text.count && text[index + 1] == UInt8(ascii: "*"):
                if index + 2 < text.count, text[index + 2] == UInt8(ascii: "!") {
                    // MySQL executable comment: its content is code.
                    sawExecutableComment = true
                    index += 3
                    while index < text.count && ByteClass.isDigit(text[index]) { index += 1 }
                    continue
                }
                var end = index + 2
                while end + 1 < text.count && !(text[end] == UInt8(ascii: "*") && text[end + 1] == UInt8(ascii: "/")) { end += 1 }
                index = min(end + 2, text.count)
                if restIsBlank() { return SQLToken(kind: .comment, role: [], start: start, end: index, word: []) }
                sawInlineComment = true
                continue
            case UInt8(ascii: "*") where index + 1 < text.count && text[index + 1] == UInt8(ascii: "/"):
                index += 2
                continue
            case UInt8(ascii: "-") where index + 1 < text.count && text[index + 1] == UInt8(ascii: "-"),
                UInt8(ascii: "#"):
                var end = index
                while end < text.count && text[end] != 0x0A { end += 1 }
                index = end
                return SQLToken(kind: .comment, role: [], start: start, end: end, word: [])
            case UInt8(ascii: "("):
                index += 1
                return SQLToken(kind: .leftParen, role: [], start: start, end: index, word: [])
            case UInt8(ascii: ")"):
                index += 1
                return SQLToken(kind: .rightParen, role: [], start: start, end: index, word: [])
            case UInt8(ascii: ","):
                index += 1
                return SQLToken(kind: .comma, role: [], start: start, end: index, word: [])
            case UInt8(ascii: ";"):
                index += 1
                return SQLToken(kind: .semicolon, role: [], start: start, end: index, word: [])
            case UInt8(ascii: "@") where index + 1 < text.count && text[index + 1] == UInt8(ascii: ">"):
                index += 2
                return SQLToken(kind: .op, role: .json, start: start, end: index, word: [])
            case UInt8(ascii: "@"):
                index += 1
                while index < text.count && (ByteClass.isWord(text[index]) || text[index] == UInt8(ascii: "@") || text[index] == UInt8(ascii: "$")) {
                    index += 1
                }
                return SQLToken(kind: index - start > 1 ? .variable : .op, role: [], start: start, end: index, word: [])
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                return number()
            case UInt8(ascii: "."):
                if index + 1 < text.count, ByteClass.isDigit(text[index + 1]) { return number() }
                index += 1
                continue
            default:
                if ByteClass.isLetter(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "$") || byte >= 0x80 {
                    return word(previous: previous)
                }
                if let op = operatorToken() { return op }
                index += 1
                return SQLToken(kind: .unknown, role: [], start: start, end: index, word: [])
            }
        }
        return nil
    }

    private func restIsBlank() -> Bool {
        var cursor = index
        while cursor < text.count {
            if !ByteClass.isSpace(text[cursor]) { return false }
            cursor += 1
        }
        return true
    }

    private mutating func number() -> SQLToken {
        let start = index
        if text[index] == UInt8(ascii: "0"), index + 1 < text.count, text[index + 1] == UInt8(ascii: "x") || text[index + 1] == UInt8(ascii: "b") {
            index += 2
            while index < text.count && ByteClass.isHex(text[index]) { index += 1 }
        } else {
            while index < text.count && (ByteClass.isDigit(text[index]) || text[index] == UInt8(ascii: ".")) { index += 1 }
            if index < text.count, text[index] == UInt8(ascii: "e") {
                var cursor = index + 1
                if cursor < text.count, text[cursor] == UInt8(ascii: "+") || text[cursor] == UInt8(ascii: "-") { cursor += 1 }
                if cursor < text.count, ByteClass.isDigit(text[cursor]) {
                    index = cursor
                    while index < text.count && ByteClass.isDigit(text[index]) { index += 1 }
                }
            }
        }
        // `3rd`, `2fa`, `1e.tables`: a word that starts with digits.
        if index < text.count, ByteClass.isLetter(text[index]) || text[index] == UInt8(ascii: "_") {
            while index < text.count && (ByteClass.isWord(text[index]) || text[index] >= 0x80) { index += 1 }
            return SQLToken(kind: .bareword, role: [], start: start, end: index, word: text[start..<index])
        }
        return SQLToken(kind: .number, role: [], start: start, end: index, word: text[start..<index])
    }

    private mutating func word(previous: SQLToken?) -> SQLToken {
        let start = index
        while index < text.count {
            let byte = text[index]
            if ByteClass.isWord(byte) || byte == UInt8(ascii: "$") || byte >= 0x80 {
                index += 1
            } else if byte == UInt8(ascii: "."), index + 1 < text.count, ByteClass.isLetter(text[index + 1]) || text[index + 1] == UInt8(ascii: "_") {
                index += 1
            } else {
                break
            }
        }
        let word = text[start..<index]
        var role: SQLRole = []
        if start > 0 {
            let before = text[start - 1]
            if before == UInt8(ascii: ".") || (before == UInt8(ascii: ">") && start > 1 && text[start - 2] == UInt8(ascii: "-")) {
                role.insert(.member)
            }
        }
        let entry = SQLWords.lookup(word) ?? lookupQualified(word)
        var kind = entry?.kind ?? .bareword
        role.formUnion(entry?.role ?? [])
        if role.contains(.sqlOnlyFunction) || role.contains(.commonFunction) || kind == .bareword {
            if let paren = KeywordMatcher.callParen(in: text, from: index) {
                if paren == index { role.insert(.adjacentParen) }
                if role.contains(.sqlOnlyFunction) || role.contains(.commonFunction) || paren == index { kind = .function }
            }
        }
        return SQLToken(kind: kind, role: role, start: start, end: index, word: word)
    }

    /// `dbms_pipe.receive_message`, `information_schema.tables`: the first part decides.
    private func lookupQualified(_ word: ArraySlice<UInt8>) -> SQLWords.Entry? {
        guard let dot = word.firstIndex(of: UInt8(ascii: ".")) else { return nil }
        guard let entry = SQLWords.lookup(word[word.startIndex..<dot]), entry.role.contains(.sqlOnlyFunction) else { return nil }
        return entry
    }

    private mutating func operatorToken() -> SQLToken? {
        let start = index
        while index < text.count && ByteClass.oneOf(text[index], "=<>!|&^~+-*/%?:@") && index - start < 3 {
            // `=&&(`: a logical operator starts its own token.
            if index > start, text[index] == UInt8(ascii: "&") || text[index] == UInt8(ascii: "|"), index + 1 < text.count,
                text[index + 1] == text[index]
            {
                break
            }
            index += 1
        }
        guard index > start else { return nil }
        let op = text[start..<index]
        var role: SQLRole = []
        var kind = SQLKind.op
        if op.elementsEqual("||".utf8) || op.elementsEqual("&&".utf8) {
            kind = .logic
        } else if op.elementsEqual("::".utf8) {
            role = .cast
        } else if op.elementsEqual("@>".utf8) || op.elementsEqual("<@".utf8) || op.elementsEqual("?|".utf8) || op.elementsEqual("?&".utf8)
            || op.elementsEqual("->".utf8) || op.elementsEqual("->>".utf8)
        {
            role = .json
        } else if op.contains(UInt8(ascii: "=")) || op.contains(UInt8(ascii: "<")) || op.contains(UInt8(ascii: ">")) {
            role = .comparison
        } else if op.count == 1 && (op.first == UInt8(ascii: "!") || op.first == UInt8(ascii: "~")) {
            role = .unary
        } else if op.count == 1 && op.first == UInt8(ascii: ":") {
            kind = .unknown
        } else {
            role = .arithmetic
        }
        return SQLToken(kind: kind, role: role, start: start, end: index, word: op)
    }
}
