/// SQL injection by grammar: the input is tokenized as SQL from three contexts and the token sequence is
/// checked against the shapes an injection must take (a string closed and continued, a condition appended,
/// a UNION, a stacked statement, a blind-injection function call...). No payload lists.
enum SQLDetector {
    struct Hit {
        var rule: WAASRule
        var start: Int
        var end: Int
    }

    static func detect(_ value: NormalizedValue) -> Hit? {
        let text = value.lower
        guard text.count >= 2 else { return nil }
        var tokenizer = SQLTokenizer(text)
        let bare = tokenizer.tokens(from: .bare)
        if let hit = bareInjection(bare) { return hit }
        if tokenizer.sawExecutableComment, let first = bare.first(where: { $0.kind == .statement || $0.kind == .union || $0.kind == .function }) {
            return Hit(rule: .sqliComment, start: first.start, end: first.end)
        }
        if tokenizer.sawInlineComment, let first = bare.first(where: { [.statement, .union, .function, .logic].contains($0.kind) }) {
            // Comments between words are how keyword filters are dodged; prose never has them.
            return Hit(rule: .sqliComment, start: first.start, end: first.end)
        }
        if let hit = quoted(text, tokenizer: &tokenizer) { return hit }
        // `\'` is an escaped quote to some code and a closing one to other code (or after one more unescape).
        if text.contains(UInt8(ascii: "\\")) {
            var unescaped: [UInt8] = []
            for (index, byte) in text.enumerated() {
                if byte == UInt8(ascii: "\\"), index + 1 < text.count, text[index + 1] == UInt8(ascii: "'") || text[index + 1] == UInt8(ascii: "\"") {
                    continue
                }
                unescaped.append(byte)
            }
            if unescaped.count != text.count {
                var second = SQLTokenizer(unescaped)
                if let hit = quoted(unescaped, tokenizer: &second) { return hit }
            }
        }
        return nil
    }

    static func quoted(_ text: [UInt8], tokenizer: inout SQLTokenizer) -> Hit? {
        for (quote, context) in [(UInt8(ascii: "'"), SQLTokenizer.Context.singleQuote), (UInt8(ascii: "\""), .doubleQuote)]
        where text.contains(quote) {
            let tokens = tokenizer.tokens(from: context)
            if quoteBreak(tokens) {
                return Hit(rule: .sqliStringBreakout, start: tokens[0].end - 1, end: tokens[min(tokens.count - 1, 3)].end)
            }
        }
        return nil
    }

    // MARK: Quoted context

    /// `tokens[0]` is the string the input closes; does what follows continue as SQL?
    static func quoteBreak(_ tokens: [SQLToken]) -> Bool {
        guard tokens.count >= 2 else { return false }
        var index = 1
        var closedParens = 0
        while index < tokens.count && tokens[index].kind == .rightParen {
            index += 1
            closedParens += 1
        }
        guard index < tokens.count else { return false }
        let token = tokens[index]
        let rest = tokens.count - index - 1
        switch token.kind {
        case .logic:
            guard rest >= 1 else { return false }
            var next = index + 1
            // `'or not`, `'not like`, `'and -`: operators before the operand.
            while next < tokens.count && next - index <= 2 && (tokens[next].kind == .op || tokens[next].kind == .logic) { next += 1 }
            guard next < tokens.count else { return false }
            return operandContinues(tokens, at: next)
        case .op:
            if token.role.contains(.cast) { return rest >= 1 && tokens[index + 1].role.contains(.typeName) }
            guard rest >= 1 else { return false }
            var next = index + 1
            while next < tokens.count && (tokens[next].kind == .op || tokens[next].kind == .logic) && next - index < 3 { next += 1 }
            guard next < tokens.count else { return false }
            let operand = tokens[next]
            if token.role.contains(.arithmetic) {
                // `'+sleep(5)+'`, `'||(select...`: arithmetic needs something unmistakable after it.
                if operand.kind == .function { return isSQLCall(tokens, at: next) }
                if operand.kind == .leftParen { return next + 1 < tokens.count && tokens[next + 1].kind == .statement }
                if operand.kind == .string || operand.kind == .number {
                    return next + 1 == tokens.count || [.op, .logic, .comment, .semicolon].contains(tokens[next + 1].kind)
                }
                return false
            }
            return operandContinues(tokens, at: next)
        case .semicolon:
            if rest == 0 { return true }
            let next = tokens[index + 1]
            return next.kind == .comment || statementStart(tokens, at: index + 1, strict: false)
        case .union:
            return rest >= 1 && (tokens[index + 1].kind == .statement || tokens[index + 1].kind == .keyword || tokens[index + 1].kind == .leftParen)
        case .comment:
            return true
        case .keyword:
            if token.role.contains(.needsBy) { return rest >= 1 && tokens[index + 1].word.elementsEqual("by".utf8) }
            return token.role.contains(.clause) && rest >= 1
        case .statement:
            return statementStart(tokens, at: index, strict: false)
        case .function:
            return closedParens > 0 && isSQLCall(tokens, at: index)
        default:
            return false
        }
    }

    /// After an `or`/`and`/comparison: a literal, call or sub-expression that SQL would evaluate.
    static func operandContinues(_ tokens: [SQLToken], at index: Int) -> Bool {
        let operand = tokens[index]
        let after = index + 1 < tokens.count ? tokens[index + 1] : nil
        switch operand.kind {
        case .string, .number, .variable:
            return true
        case .leftParen, .statement:
            return true
        case .function:
            return isSQLCall(tokens, at: index) || operand.role.contains(.adjacentParen)
        case .bareword, .keyword:
            guard let after else { return true }
            return after.kind == .op || after.kind == .comment || after.kind == .semicolon || after.kind == .rightParen || after.kind == .logic
                || after.kind == .leftParen
        default:
            return false
        }
    }
}
