extension ShellDetector {
    // MARK: Constructs

    static func constructs(_ text: [UInt8]) -> Hit? {
        func hit(_ rule: WAASRule, _ start: Int, _ length: Int) -> Hit {
            Hit(rule: rule, start: start, end: min(start + length, text.count), text: text)
        }
        var index = 0
        while index < text.count {
            let byte = text[index]
            let next = index + 1 < text.count ? text[index + 1] : 0
            switch byte {
            case UInt8(ascii: "$") where next == UInt8(ascii: "["):
                if let close = text[index...].prefix(40).firstIndex(of: UInt8(ascii: "]")), close > index + 2 {
                    return hit(.cmdiSubstitution, index, close - index + 1)
                }
            case UInt8(ascii: "$") where next == UInt8(ascii: "{"):
                var end = index + 2
                while end < text.count && ByteClass.isWord(text[end]) { end += 1 }
                if end < text.count, text[end] == UInt8(ascii: "}"), let tier = ShellCommands.tier(of: text[(index + 2)..<end]), tier >= .tool {
                    return hit(.cmdiSubstitution, index, end - index + 1)
                }
            case UInt8(ascii: "~") where index == 0 && (next == UInt8(ascii: "+") || next == UInt8(ascii: "-")):
                // Tilde expansion to $PWD / $OLDPWD.
                if index + 2 == text.count || text[index + 2] == UInt8(ascii: "/") { return hit(.cmdiEvasion, index, 8) }
            case UInt8(ascii: "$") where next == UInt8(ascii: "("):
                var cursor = index + 2
                while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
                var end = cursor
                while end < text.count, ByteClass.isWord(text[end]) || text[end] == UInt8(ascii: "/") || text[end] == UInt8(ascii: ".") { end += 1 }
                let word = text[cursor..<end]
                var base = word
                if let slash = word.lastIndex(of: UInt8(ascii: "/")) { base = word[(slash + 1)...] }
                if ShellCommands.tier(of: base) != nil || (end < text.count && (text[end] == UInt8(ascii: "$") || text[end] == UInt8(ascii: "("))) {
                    return hit(.cmdiSubstitution, index, end - index + 8)
                }
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                if next == UInt8(ascii: "("), index + 2 < text.count, ByteClass.isLetter(text[index + 2]) {
                    var end = index + 2
                    while end < text.count && ByteClass.isWord(text[end]) { end += 1 }
                    if ShellCommands.tier(of: text[(index + 2)..<end]) != nil { return hit(.cmdiSubstitution, index, end - index + 4) }
                }
                if byte == UInt8(ascii: "<"), text.hasLowercasePrefix("<<<", at: index) { return hit(.cmdiSubstitution, max(index - 8, 0), 20) }
            case UInt8(ascii: "`"):
                if next == UInt8(ascii: "`") || (index > 0 && text[index - 1] == UInt8(ascii: "`")) { break }
                guard let close = text[(index + 1)...].firstIndex(of: UInt8(ascii: "`")) else { break }
                var cursor = index + 1
                while cursor < close && ByteClass.isSpace(text[cursor]) { cursor += 1 }
                var end = cursor
                while end < close, ByteClass.isWord(text[end]) || text[end] == UInt8(ascii: "/") || text[end] == UInt8(ascii: "-") { end += 1 }
                var base = text[cursor..<end]
                if let slash = base.lastIndex(of: UInt8(ascii: "/")) { base = base[(slash + 1)...] }
                // `npm install x` is Markdown inline code; `cat /etc/passwd` or `whoami` is a substitution.
                if let tier = ShellCommands.tier(of: base), tier == .unambiguous || strongEvidence(text, after: end) {
                    return hit(.cmdiSubstitution, index, close - index + 1)
                }
                index = close
            case UInt8(ascii: "/"):
                if text.hasLowercasePrefix("/dev/tcp/", at: index) || text.hasLowercasePrefix("/dev/udp/", at: index) {
                    return hit(.cmdiSubstitution, index, 24)
                }
            case UInt8(ascii: "("):
                // Fork bomb: name(){ name|name& };name
                if next == UInt8(ascii: ")"), index > 0 {
                    var brace = index + 2
                    while brace < text.count && ByteClass.isSpace(text[brace]) { brace += 1 }
                    if brace < text.count, text[brace] == UInt8(ascii: "{") {
                        let body = text[brace..<min(brace + 40, text.count)]
                        if body.contains(UInt8(ascii: "|")) || body.contains(UInt8(ascii: "&")) {
                            return hit(.cmdiForkBomb, max(index - 2, 0), 20)
                        }
                    }
                }
            case UInt8(ascii: "{"):
                // Brace expansion running a command: {cat,/etc/passwd}
                var cursor = index + 1
                while cursor < text.count && (text[cursor] == UInt8(ascii: ",") || text[cursor] == UInt8(ascii: "$")) { cursor += 1 }
                var end = cursor
                while end < text.count, ByteClass.isWord(text[end]) || text[end] == UInt8(ascii: "-") { end += 1 }
                if end < text.count, text[end] == UInt8(ascii: ","), ShellCommands.tier(of: text[cursor..<end]) != nil {
                    return hit(.cmdiForkBomb, index, end - index + 12)
                }
            default:
                break
            }
            index += 1
        }
        return nil
    }

    /// `/???/b??h`, `/bi[n]/bash`: a path whose components are globbed to dodge word matching.
    static func globPath(_ text: [UInt8]) -> Hit? {
        var index = 0
        while let slash = text[index...].firstIndex(of: UInt8(ascii: "/")) {
            index = slash + 1
            if slash > 0,
                ByteClass.isWord(text[slash - 1]) || text[slash - 1] == UInt8(ascii: "/") || text[slash - 1] == UInt8(ascii: ":")
                    || text[slash - 1] == UInt8(ascii: "?") || text[slash - 1] == UInt8(ascii: ".")
            {
                continue
            }
            var end = slash
            var components = 0
            var globbed = false
            var inBracket = false
            var clean = true
            while end < text.count {
                let byte = text[end]
                if byte == UInt8(ascii: "/") {
                    components += 1
                } else if byte == UInt8(ascii: "[") {
                    inBracket = true
                    globbed = true
                } else if byte == UInt8(ascii: "]") {
                    inBracket = false
                } else if byte == UInt8(ascii: "?") || byte == UInt8(ascii: "*") {
                    globbed = true
                } else if ByteClass.isWord(byte) || byte == UInt8(ascii: ".") || (inBracket && byte == UInt8(ascii: "-")) {
                } else if ByteClass.isSpace(byte) || ByteClass.oneOf(byte, ";|,})'\"&") {
                    break
                } else {
                    clean = false
                    break
                }
                end += 1
            }
            if clean && globbed && components >= 2 && end - slash >= 4 {
                return Hit(rule: .cmdiEvasion, start: slash, end: end, text: text)
            }
        }
        return nil
    }

    /// cmd.exe `FOR /F ... DO` and `IF [NOT] EXIST|DEFINED|%x%==...` constructs.
    static func windowsConstructs(_ text: [UInt8]) -> Hit? {
        var from = 0
        while let found = text.firstIndex(ofLowercase: "for", from: from) {
            from = found + 3
            if found > 0, ByteClass.isWord(text[found - 1]) { continue }
            var cursor = found + 3
            guard cursor < text.count, ByteClass.isSpace(text[cursor]) else { continue }
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            guard cursor + 1 < text.count, text[cursor] == UInt8(ascii: "/") || text[cursor] == UInt8(ascii: "%") else { continue }
            let window = text[cursor..<min(cursor + 160, text.count)]
            if let inIndex = Array(window).firstIndex(ofLowercase: " in"), Array(window).firstIndex(ofLowercase: "do", from: inIndex) != nil {
                return Hit(rule: .cmdiWindows, start: found, end: min(found + 30, text.count), text: text)
            }
        }
        from = 0
        while let found = text.firstIndex(ofLowercase: "if", from: from) {
            from = found + 2
            if found > 0, ByteClass.isWord(text[found - 1]) { continue }
            var cursor = found + 2
            guard cursor < text.count, ByteClass.isSpace(text[cursor]) else { continue }
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            if text.hasLowercasePrefix("/i", at: cursor) { cursor += 2 }
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            if text.hasLowercasePrefix("not", at: cursor) { cursor += 3 }
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            guard cursor < text.count else { continue }
            let keywordForm =
                text.hasLowercasePrefix("exist ", at: cursor) || text.hasLowercasePrefix("defined ", at: cursor)
                || text.hasLowercasePrefix("errorlevel ", at: cursor)
            let window = Array(text[cursor..<min(cursor + 60, text.count)])
            let comparison =
                window.firstIndex(ofLowercase: "==") != nil || window.firstIndex(ofLowercase: " equ ") != nil
                || window.firstIndex(ofLowercase: " neq ") != nil || window.firstIndex(ofLowercase: " lss ") != nil
                || window.firstIndex(ofLowercase: " leq ") != nil || window.firstIndex(ofLowercase: " gtr ") != nil
                || window.firstIndex(ofLowercase: " geq ") != nil
            let variableForm = [UInt8(ascii: "%"), UInt8(ascii: "\""), UInt8(ascii: "["), UInt8(ascii: "!"), UInt8(ascii: "(")].contains(text[cursor])
            if keywordForm || (comparison && (variableForm || window.count < 60)) {
                return Hit(rule: .cmdiWindows, start: found, end: min(found + 30, text.count), text: text)
            }
        }
        return nil
    }

    /// SMTP, IMAP or POP3 commands on a new line: the value is spliced into a mail protocol session.
    static func mailCommand(_ text: [UInt8]) -> Hit? {
        var index = 0
        while index < text.count {
            guard text[index] == 0x0A || text[index] == 0x0D else {
                index += 1
                continue
            }
            var line = index
            while line < text.count && (text[line] == 0x0A || text[line] == 0x0D) { line += 1 }
            index = line
            guard line < text.count else { break }
            var lineEnd = line
            while lineEnd < text.count && text[lineEnd] != 0x0A && text[lineEnd] != 0x0D { lineEnd += 1 }
            let content = Array(text[line..<lineEnd])
            let smtp =
                content.hasLowercasePrefix("mail from:", at: 0) || content.hasLowercasePrefix("rcpt to:", at: 0)
                || content.hasLowercasePrefix("vrfy ", at: 0) || content.hasLowercasePrefix("expn ", at: 0)
                || content.hasLowercasePrefix("helo ", at: 0) || content.hasLowercasePrefix("ehlo ", at: 0)
                || content.hasLowercasePrefix("apop ", at: 0) || content.hasLowercasePrefix("retr ", at: 0)
                || content.hasLowercasePrefix("dele ", at: 0) || content.equalsLowercase("data") || content.equalsLowercase("starttls")
                || content.equalsLowercase("uidl") || content.equalsLowercase("rset") || content.hasLowercasePrefix("help ", at: 0)
                || pop3Numbered(content)
            if smtp || imapCommand(content) { return Hit(rule: .cmdiMail, start: line, end: min(lineEnd, line + 40), text: text) }
        }
        return nil
    }

    /// `LIST 3`, `TOP 1 10`: POP3 commands with message numbers.
    static func pop3Numbered(_ line: [UInt8]) -> Bool {
        for verb: StaticString in ["list ", "top ", "retr ", "dele "] where line.hasLowercasePrefix(verb, at: 0) {
            let rest = line.dropFirst(verb.utf8CodeUnitCount)
            return !rest.isEmpty && rest.allSatisfy { ByteClass.isDigit($0) || $0 == UInt8(ascii: " ") }
        }
        return false
    }

    static let imapVerbs: [StaticString] = [
        "login ", "select ", "examine ", "create ", "delete ", "rename ", "subscribe ", "unsubscribe ", "list ", "lsub ",
        "status ", "append ", "search ", "fetch ", "store ", "copy ", "uid ", "logout", "capability", "authenticate ", "quit", "noop",
    ]

    static func imapCommand(_ line: [UInt8]) -> Bool {
        var cursor = 0
        var digits = 0
        while cursor < line.count && ByteClass.isWord(line[cursor]) && cursor < 10 {
            if ByteClass.isDigit(line[cursor]) { digits += 1 }
            cursor += 1
        }
        guard cursor > 0, digits > 0, cursor < line.count, line[cursor] == UInt8(ascii: " ") else { return false }
        return imapVerbs.contains { line.hasLowercasePrefix($0, at: cursor + 1) }
    }
}
