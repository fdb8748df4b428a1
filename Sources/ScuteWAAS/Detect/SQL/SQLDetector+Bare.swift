extension SQLDetector {
    // MARK: Bare context

    static func bareInjection(_ tokens: [SQLToken]) -> Hit? {
        guard !tokens.isEmpty else { return nil }
        if let hit = appendedCondition(tokens) { return hit }
        for index in tokens.indices {
            let token = tokens[index]
            switch token.kind {
            case .union:
                var next = index + 1
                if next < tokens.count, tokens[next].kind == .keyword,
                    tokens[next].word.elementsEqual("all".utf8) || tokens[next].word.elementsEqual("distinct".utf8)
                {
                    next += 1
                }
                if next < tokens.count, tokens[next].kind == .leftParen { next += 1 }
                if next < tokens.count, tokens[next].kind == .statement, tokens[next].word.elementsEqual("select".utf8) {
                    return Hit(rule: .sqliUnion, start: token.start, end: tokens[next].end)
                }
                if next > index + 1 && tokens[index + 1].kind == .keyword {
                    return Hit(rule: .sqliUnion, start: token.start, end: tokens[index + 1].end)
                }
            case .semicolon:
                // `;drop`, `;update users`: a bare statement keyword closing the value.
                if index + 1 < tokens.count, tokens[index + 1].kind == .statement, tokens.count - index <= 3,
                    index + 2 == tokens.count || (tokens[index + 2].kind == .bareword && index + 3 == tokens.count)
                {
                    return Hit(rule: .sqliStacked, start: token.start, end: tokens[tokens.count - 1].end)
                }
                if index + 1 < tokens.count, statementStart(tokens, at: index + 1, strict: false) {
                    return Hit(rule: .sqliStacked, start: token.start, end: tokens[min(index + 2, tokens.count - 1)].end)
                }
            case .statement:
                let strict = index > 0 && tokens[index - 1].kind != .leftParen
                if statementStart(tokens, at: index, strict: strict) {
                    return Hit(rule: .sqliStatement, start: token.start, end: tokens[min(index + 2, tokens.count - 1)].end)
                }
            case .function:
                let probe =
                    index + 2 == tokens.count && tokens[index + 1].kind == .leftParen
                    && (token.role.contains(.sqlOnlyFunction) || token.role.contains(.commonFunction)) && !token.role.contains(.member)
                if probe || (isSQLCall(tokens, at: index) && (token.role.contains(.sqlOnlyFunction) || index > 0 || tokens.count > 3)) {
                    return Hit(rule: .sqliFunction, start: token.start, end: tokens[min(index + 2, tokens.count - 1)].end)
                }
            case .keyword where token.word.elementsEqual("as".utf8):
                // `) AS alias FROM`, `1234 AS "x" FROM`: a select list being completed.
                guard index > 0, index + 2 < tokens.count else { continue }
                let before = tokens[index - 1]
                let aliasOK = [.bareword, .string].contains(tokens[index + 1].kind)
                if aliasOK, tokens[index + 2].word.elementsEqual("from".utf8),
                    before.kind == .rightParen || before.kind == .number || before.kind == .string || before.role.contains(.quotedIdentifier)
                {
                    return Hit(rule: .sqliStatement, start: before.start, end: tokens[index + 2].end)
                }
            case .keyword where token.word.elementsEqual("from".utf8):
                // `FROM table WHERE|GROUP BY|ORDER BY|LIMIT`.
                guard index + 2 < tokens.count, tokens[index + 1].kind == .bareword else { continue }
                let clause = tokens[index + 2]
                if ["where", "group", "order", "limit", "having"].contains(where: { clause.word.elementsEqual($0.utf8) }), index + 3 < tokens.count {
                    return Hit(rule: .sqliStatement, start: token.start, end: clause.end)
                }
            case .keyword where token.word.elementsEqual("values".utf8):
                if index + 2 < tokens.count, tokens[index + 1].kind == .leftParen, [.string, .number, .variable].contains(tokens[index + 2].kind) {
                    return Hit(rule: .sqliStatement, start: token.start, end: tokens[index + 2].end)
                }
            case .op where token.word.elementsEqual("in".utf8):
                // `IN (1, 2`: a value list.
                if index + 3 < tokens.count, tokens[index + 1].kind == .leftParen, [.string, .number].contains(tokens[index + 2].kind),
                    tokens[index + 3].kind == .comma
                {
                    return Hit(rule: .sqliBoolean, start: token.start, end: tokens[index + 3].end)
                }
            case .op where token.role.contains(.comparison):
                // `'a' < 'b'`, `11 != 1`, `'1001'='10`: literals compared with literals.
                guard index > 0, index + 1 < tokens.count else { continue }
                let left = tokens[index - 1]
                let right = tokens[index + 1]
                let bothStrings = left.kind == .string && right.kind == .string
                let unequal = token.word.elementsEqual("!=".utf8) || token.word.elementsEqual("<>".utf8)
                let equal = token.word.elementsEqual("=".utf8) || token.word.elementsEqual("<=>".utf8)
                let same = left.word.elementsEqual(right.word)
                // Only tautologies: `1=1`, `2<>3`.
                let numbers = left.kind == .number && right.kind == .number && ((unequal && !same) || (equal && same))
                if bothStrings && index == 1 || numbers && index == 1 && tokens.count <= 4 {
                    return Hit(rule: .sqliBoolean, start: left.start, end: right.end)
                }
            case .logic where index > 0 && !token.role.contains(.unary):
                let before = tokens[index - 1]
                guard [.number, .bareword, .variable, .string, .rightParen].contains(before.kind) else { continue }
                if condition(tokens, at: index + 1) {
                    return Hit(rule: .sqliBoolean, start: before.start, end: tokens[min(index + 3, tokens.count - 1)].end)
                }
            case .op where token.role.contains(.cast):
                if index + 1 < tokens.count, tokens[index + 1].role.contains(.typeName) {
                    return Hit(rule: .sqliCast, start: token.start, end: tokens[index + 1].end)
                }
            case .op where token.role.contains(.json):
                if index > 0, index + 1 < tokens.count, tokens[index - 1].kind == .string || tokens[index + 1].kind == .string {
                    return Hit(rule: .sqliCast, start: tokens[index - 1].start, end: tokens[index + 1].end)
                }
            default:
                continue
            }
        }
        return nil
    }

    /// `and x = '`, `or 7639=(`, `name=and code != "`: the value opens with a boolean operator and a comparison.
    static func appendedCondition(_ tokens: [SQLToken]) -> Hit? {
        var start = 0
        if tokens.count > 2, tokens[0].kind == .bareword, tokens[1].kind == .op, tokens[1].role.contains(.comparison) { start = 2 }
        guard start < tokens.count, tokens[start].kind == .logic, !tokens[start].role.contains(.unary) else { return nil }
        let next = start + 1
        guard next < tokens.count else { return nil }
        if tokens[next].kind == .leftParen { return Hit(rule: .sqliBoolean, start: tokens[start].start, end: tokens[next].end) }
        guard next + 1 < tokens.count, [.bareword, .number, .string, .variable].contains(tokens[next].kind) else { return nil }
        let op = tokens[next + 1]
        if op.kind == .op, op.role.contains(.comparison) {
            return Hit(rule: .sqliBoolean, start: tokens[start].start, end: op.end)
        }
        return nil
    }

    /// `1=1`, `sleep(5)`, `(select ...)`, `not 2>3`: a condition SQL would evaluate after `or`/`and`.
    static func condition(_ tokens: [SQLToken], at start: Int) -> Bool {
        var index = start
        while index < tokens.count, (tokens[index].kind == .logic || tokens[index].kind == .op) && tokens[index].role.contains(.unary) {
            index += 1
        }
        guard index < tokens.count else { return false }
        let first = tokens[index]
        switch first.kind {
        case .function:
            return isSQLCall(tokens, at: index)
        case .leftParen:
            return index + 1 < tokens.count && (tokens[index + 1].kind == .statement || tokens[index + 1].kind == .function)
        case .number, .string, .variable, .bareword:
            guard index + 2 < tokens.count else { return false }
            let op = tokens[index + 1]
            guard op.kind == .op, op.role.contains(.comparison) || op.role.contains(.arithmetic) || op.role.contains(.json) else { return false }
            let second = tokens[index + 2]
            // `size <= 42`: a column compared with a value reads as a filter; SQL injection compares literals.
            if first.kind == .bareword && (second.kind == .number || second.kind == .string) && !op.word.elementsEqual("=".utf8) {
                return false
            }
            if first.kind == .bareword && second.kind == .bareword {
                // `size=large`: words compared to words read as prose or filters; need an SQL tail after.
                return index + 3 < tokens.count && [.comment, .semicolon].contains(tokens[index + 3].kind)
            }
            return [.number, .string, .variable, .bareword, .function, .leftParen].contains(second.kind)
        default:
            return false
        }
    }

    /// A function token whose arguments look like SQL, not prose in parentheses.
    static func isSQLCall(_ tokens: [SQLToken], at index: Int) -> Bool {
        let token = tokens[index]
        guard token.kind == .function, !token.role.contains(.member) else { return false }
        guard token.role.contains(.sqlOnlyFunction) || token.role.contains(.commonFunction) else { return false }
        guard index + 1 < tokens.count, tokens[index + 1].kind == .leftParen else { return false }
        guard index + 2 < tokens.count else {
            // `substr(` at the very end: a probe, not prose.
            return token.role.contains(.adjacentParen)
        }
        let argument = tokens[index + 2]
        switch argument.kind {
        case .number, .string, .variable, .statement, .function, .leftParen, .rightParen:
            return token.role.contains(.adjacentParen) || argument.kind != .rightParen || token.role.contains(.sqlOnlyFunction)
        case .op:
            return argument.role.contains(.arithmetic) || argument.role.contains(.unary)
        case .bareword, .keyword:
            guard token.role.contains(.adjacentParen) || token.role.contains(.sqlOnlyFunction) else { return false }
            guard index + 3 < tokens.count else { return true }
            return [.comma, .rightParen, .op, .leftParen].contains(tokens[index + 3].kind)
        default:
            return false
        }
    }

    /// Does a statement keyword at `index` start a real statement (not `select the best option`)?
    static func statementStart(_ tokens: [SQLToken], at index: Int, strict: Bool) -> Bool {
        guard index < tokens.count, tokens[index].kind == .statement else { return false }
        let word = tokens[index].word
        let next = index + 1 < tokens.count ? tokens[index + 1] : nil
        let after = index + 2 < tokens.count ? tokens[index + 2] : nil
        func isWord(_ token: SQLToken?, _ text: String) -> Bool { token.map { $0.word.elementsEqual(text.utf8) } ?? false }
        switch true {
        case word.elementsEqual("select".utf8):
            guard let next else { return false }
            switch next.kind {
            case .function, .number, .string, .variable, .leftParen:
                return !strict || after == nil || after!.kind != .bareword
            case .op:
                return next.start + 1 == next.end && next.role.contains(.arithmetic) && isWord(after, "from") || after == nil
            case .keyword:
                return ["distinct", "all", "top", "null"].contains { isWord(next, $0) }
            case .bareword:
                guard let after else { return false }
                if after.kind == .comma { return true }
                guard isWord(after, "from"), index + 3 < tokens.count else { return false }
                let table = tokens[index + 3]
                guard table.kind == .bareword || table.kind == .leftParen || table.kind == .keyword else { return false }
                if table.word.contains(UInt8(ascii: "_")) && table.word.count > 12 { return true }
                guard index + 4 < tokens.count else { return false }
                let tail = tokens[index + 4]
                return [.comment, .semicolon, .rightParen, .union].contains(tail.kind)
                    || ["where", "limit", "order", "group", "join", "into", "having"].contains { isWord(tail, $0) }
            default:
                return false
            }
        case word.elementsEqual("insert".utf8), word.elementsEqual("replace".utf8):
            return isWord(next, "into")
        case word.elementsEqual("update".utf8):
            return next?.kind == .bareword && isWord(after, "set")
        case word.elementsEqual("delete".utf8):
            return isWord(next, "from") && after != nil
        case word.elementsEqual("drop".utf8), word.elementsEqual("create".utf8), word.elementsEqual("alter".utf8),
            word.elementsEqual("truncate".utf8):
            guard let next else { return !strict && word.elementsEqual("truncate".utf8) }
            if next.kind == .bareword, let after, after.kind == .semicolon || after.kind == .comment { return true }
            return next.role.contains(.objectType) && after != nil
        case word.elementsEqual("exec".utf8), word.elementsEqual("execute".utf8):
            guard let next else { return false }
            if next.kind == .variable || next.kind == .leftParen || next.kind == .string { return true }
            if isWord(next, "immediate") { return true }
            return next.word.starts(with: "xp_".utf8) || next.word.starts(with: "sp_".utf8) || next.word.starts(with: "master".utf8)
                || next.word.starts(with: "dbms_".utf8)
        case word.elementsEqual("declare".utf8):
            return next?.kind == .variable
        case word.elementsEqual("set".utf8):
            return next?.kind == .variable && !strict
        case word.elementsEqual("waitfor".utf8):
            return isWord(next, "delay") || isWord(next, "time")
        case word.elementsEqual("shutdown".utf8):
            return next == nil || next!.kind == .comment || next!.kind == .semicolon
        case word.elementsEqual("print".utf8):
            return !strict && (next == nil || next?.kind == .string || next?.kind == .variable)
        default:
            return false
        }
    }
}
