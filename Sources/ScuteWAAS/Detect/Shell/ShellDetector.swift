/// OS command injection by reading the input as a shell would: evasions are undone first (quote splitting,
/// backslashes, empty variables, `$IFS`), then every command position is found and its word weighed.
enum ShellDetector {
    struct Hit {
        var rule: WAASRule
        var start: Int
        var end: Int
        /// The deobfuscated text the positions refer to.
        var text: [UInt8]
    }

    static func detect(_ value: NormalizedValue, atValueStart: Bool = true) -> Hit? {
        let original = value.lower
        var evasion = false
        let text = value.has("'\"\\^`$<") ? deobfuscate(original, evasion: &evasion) : original
        if value.has("$<>`/({~"), let hit = constructs(text) { return hit }
        if let hit = commandPositions(text, atValueStart: atValueStart, evasion: evasion) { return hit }
        if value.has("/"), value.has("?*["), let hit = globPath(text) { return hit }
        if let hit = windowsConstructs(text) { return hit }
        if value.flags.contains(.lineBreak), let hit = mailCommand(original) { return hit }
        return nil
    }

    // MARK: Deobfuscation

    /// Removes what a shell would remove before running: quotes, backslash escapes, carets, empty expansions.
    static func deobfuscate(_ input: [UInt8], evasion: inout Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            let next = index + 1 < input.count ? input[index + 1] : 0
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                if let last = output.last, ByteClass.isWord(last), ByteClass.isWord(next) || next == byte { evasion = true }
                index += 1
            case UInt8(ascii: "\\") where ByteClass.isWord(next) || next == UInt8(ascii: "/") || next == UInt8(ascii: " "):
                if let last = output.last, ByteClass.isWord(last) { evasion = true }
                index += 1
            case UInt8(ascii: "^") where ByteClass.isLetter(next) && output.last.map(ByteClass.isLetter) == true:
                evasion = true
                index += 1
            case UInt8(ascii: "`") where next == UInt8(ascii: "`"):
                // ``` fences are Markdown; exactly two backticks are an empty substitution (`pi``ng`).
                var run = index
                while run < input.count && input[run] == UInt8(ascii: "`") { run += 1 }
                if run - index == 2 {
                    evasion = true
                } else {
                    output.append(contentsOf: [UInt8](repeating: UInt8(ascii: " "), count: run - index))
                }
                index = run
            case UInt8(ascii: "<") where next == UInt8(ascii: "(") && index + 2 < input.count && input[index + 2] == UInt8(ascii: ")"):
                evasion = true
                index += 3
            case UInt8(ascii: "$"):
                if input.hasLowercasePrefix("${ifs}", at: index) {
                    output.append(UInt8(ascii: " "))
                    evasion = true
                    index += 6
                } else if input.hasLowercasePrefix("$ifs", at: index) {
                    output.append(UInt8(ascii: " "))
                    evasion = true
                    index += 4
                } else if next == UInt8(ascii: "("), index + 2 < input.count, input[index + 2] == UInt8(ascii: ")") {
                    evasion = true
                    index += 3
                } else if ByteClass.oneOf(next, "@*!?-#$") || ByteClass.isDigit(next) {
                    evasion = true
                    index += 2
                } else if let last = output.last, ByteClass.isLetter(last), ByteClass.isLetter(next) {
                    // `c$u` + `at`: an unset variable glued inside a word.
                    var end = index + 1
                    while end < input.count && ByteClass.isLetter(input[end]) && end - index < 3 { end += 1 }
                    if end - index <= 2 {
                        evasion = true
                        index = end
                    } else {
                        output.append(byte)
                        index += 1
                    }
                } else {
                    output.append(byte)
                    index += 1
                }
            default:
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    // MARK: Command positions

    private static let strongSeparators: [UInt8] = Array("|`".utf8)

    private static func commandPositions(_ text: [UInt8], atValueStart: Bool, evasion: Bool) -> Hit? {
        var index = 0
        var strength = atValueStart ? 0 : -1  // 0: value start, 1: weak separator, 2: strong separator
        while index < text.count {
            let byte = text[index]
            if ByteClass.isSpace(byte) && byte != 0x0A && byte != 0x0D {
                index += 1
                continue
            }
            if strength >= 0, byte == UInt8(ascii: "$"), index + 1 < text.count, ByteClass.isLetter(text[index + 1]) {
                // `;$a cat x`: an unset variable before the command expands to nothing.
                index += 1
                while index < text.count && ByteClass.isWord(text[index]) { index += 1 }
                continue
            }
            if strength >= 0, isCommandStart(byte) {
                let (wordEnd, hit) = commandWord(text, at: index, strength: strength, evasion: evasion)
                if let hit { return hit }
                index = wordEnd
                strength = -1
                continue
            }
            switch byte {
            case UInt8(ascii: "|"):
                strength = index + 1 < text.count && text[index + 1] == UInt8(ascii: "|") ? 2 : 3
                if strength == 2 { index += 1 }
            case UInt8(ascii: "`"), 0x0A, 0x0D:
                strength = 4
            case UInt8(ascii: "&"):
                strength = index + 1 < text.count && text[index + 1] == UInt8(ascii: "&") ? 2 : 1
                if strength == 2 { index += 1 }
            case UInt8(ascii: ";"):
                strength = 1
            case UInt8(ascii: "("):
                let previous = index > 0 ? text[index - 1] : 0
                strength = previous == UInt8(ascii: "$") || previous == UInt8(ascii: "<") || previous == UInt8(ascii: ">") ? 2 : -1
            default:
                strength = -1
            }
            index += 1
        }
        return nil
    }

    private static func isCommandStart(_ byte: UInt8) -> Bool {
        ByteClass.isLetter(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// Reads the word at a command position and decides; returns where the word ends.
    private static func commandWord(_ text: [UInt8], at start: Int, strength: Int, evasion: Bool) -> (Int, Hit?) {
        var end = start
        while end < text.count, ByteClass.isWord(text[end]) || ByteClass.oneOf(text[end], "./-+") { end += 1 }
        let word = text[start..<end]
        var base = word
        if let slash = word.lastIndex(of: UInt8(ascii: "/")) { base = word[(slash + 1)...] }
        if ShellCommands.tier(of: base) == nil, word.first != UInt8(ascii: "/"), let slash = word.firstIndex(of: UInt8(ascii: "/")) {
            // `bcdboot/r`: a Windows switch glued to the command.
            base = word[word.startIndex..<slash]
        }
        if base.elementsEqual("alias".utf8), let hit = aliasDefinition(text, after: end) { return (end, hit) }
        guard let tier = ShellCommands.tier(of: base) else { return (end, nil) }
        // A command word is followed by a blank, the end, or shell syntax; `base64,` or `id=` are not commands.
        if end < text.count, !ByteClass.isSpace(text[end]), !ByteClass.oneOf(text[end], ";|&<>`)$(") { return (end, nil) }
        let qualified = base.count < word.count && Array(word).firstIndex(ofLowercase: "bin/") != nil
        var evidence = argumentEvidence(text, after: end)
        let atEnd = text[end...].allSatisfy(ByteClass.isSpace)
        if strength == 4 {
            // A line start or an opening backtick is also where prose and Markdown code begin.
            guard (evidence && (tier >= .tool || strongEvidence(text, after: end))) || atEnd || tier == .unambiguous || tier == .prefix else {
                return (end, nil)
            }
        }
        if strength == 3 {
            // After a single `|` (also a table or list delimiter) the command needs real arguments or the end.
            var next = end
            while next < text.count && text[next] == UInt8(ascii: " ") { next += 1 }
            if next < text.count, text[next] == UInt8(ascii: "|") { evidence = false }
            guard evidence || atEnd || tier == .unambiguous else { return (end, nil) }
        }
        let strength = min(strength, 2)
        var hit = false
        switch tier {
        case .prefix:
            // `sudo`, `time`, `nohup`: the next word is a command too.
            var next = end
            while next < text.count && ByteClass.isSpace(text[next]) { next += 1 }
            while next < text.count && text[next] == UInt8(ascii: "-") {
                while next < text.count && !ByteClass.isSpace(text[next]) { next += 1 }
                while next < text.count && ByteClass.isSpace(text[next]) { next += 1 }
            }
            if next < text.count, isCommandStart(text[next]) {
                let (_, inner) = commandWord(text, at: next, strength: max(strength, 1), evasion: evasion)
                if let inner { return (end, inner) }
            }
            hit = strength >= 1 && (evidence || atEnd)
        case .unambiguous:
            hit = true
        case .tool:
            hit = strength >= 1 || evidence || qualified || evasion
        case .word:
            hit =
                strength >= 2 || ((strength == 1 || qualified || evasion) && (evidence || atEnd)) || (strength == 0 && qualified)
                || (strength == 0 && evidence && strongEvidence(text, after: end))
        }
        guard hit else { return (end, nil) }
        let rule: WAASRule = strength >= 1 ? .cmdiSeparator : (evasion ? .cmdiEvasion : .cmdiCommand)
        return (end, Hit(rule: rule, start: max(start - 2, 0), end: min(end + 24, text.count), text: text))
    }

    /// `alias x=cmd`: defining a command.
    private static func aliasDefinition(_ text: [UInt8], after end: Int) -> Hit? {
        var cursor = end
        while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
        let nameStart = cursor
        while cursor < text.count, !ByteClass.isSpace(text[cursor]), text[cursor] != UInt8(ascii: "=") { cursor += 1 }
        guard cursor > nameStart else { return nil }
        if cursor < text.count, text[cursor] == UInt8(ascii: "=") {
            return Hit(rule: .cmdiCommand, start: max(end - 5, 0), end: min(cursor + 12, text.count), text: text)
        }
        // `alias -p`, `alias + g + a=b`: options before the definition.
        if text[nameStart] == UInt8(ascii: "-") || text[nameStart] == UInt8(ascii: "+") {
            return Hit(rule: .cmdiCommand, start: max(end - 5, 0), end: min(cursor + 12, text.count), text: text)
        }
        return nil
    }

    /// The next token looks like a shell argument: a flag, a path, a redirection, a variable, an address.
    private static func argumentEvidence(_ text: [UInt8], after end: Int) -> Bool {
        var index = end
        while index < text.count && (text[index] == UInt8(ascii: " ") || text[index] == 0x09) { index += 1 }
        guard index < text.count else { return false }
        let byte = text[index]
        let next = index + 1 < text.count ? text[index + 1] : 0
        switch byte {
        case UInt8(ascii: "-"):
            // `-la`, `--version`; a dash used as punctuation (`ls -- the`) is not an option.
            return ByteClass.isLetter(next) || (next == UInt8(ascii: "-") && index + 2 < text.count && ByteClass.isLetter(text[index + 2]))
        case UInt8(ascii: "/"), UInt8(ascii: "~"), UInt8(ascii: "$"), UInt8(ascii: ">"), UInt8(ascii: "<"), UInt8(ascii: "|"), UInt8(ascii: "`"):
            return true
        case UInt8(ascii: "."): return next == UInt8(ascii: "/") || next == UInt8(ascii: ".")
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            // An IP address or host:port.
            var dots = 0
            var cursor = index
            while cursor < text.count, ByteClass.isDigit(text[cursor]) || text[cursor] == UInt8(ascii: ".") {
                if text[cursor] == UInt8(ascii: ".") { dots += 1 }
                cursor += 1
            }
            return dots == 3
        default:
            if text.hasLowercasePrefix("http://", at: index) || text.hasLowercasePrefix("https://", at: index) { return true }
            var wordEnd = index
            while wordEnd < text.count, ByteClass.isWord(text[wordEnd]) || text[wordEnd] == UInt8(ascii: "-") { wordEnd += 1 }
            if let tier = ShellCommands.tier(of: text[index..<wordEnd]), tier >= .tool { return true }
            return false
        }
    }

    /// At the very start of a value a common word needs more than a flag: a path, a redirection or a pipe.
    private static func strongEvidence(_ text: [UInt8], after end: Int) -> Bool {
        var index = end
        while index < text.count && ByteClass.isSpace(text[index]) { index += 1 }
        guard index < text.count else { return false }
        let byte = text[index]
        return byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: "<")
            || byte == UInt8(ascii: "$") || byte == UInt8(ascii: "`")
    }

    // MARK: Constructs

    private static func constructs(_ text: [UInt8]) -> Hit? {
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
    private static func globPath(_ text: [UInt8]) -> Hit? {
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
    private static func windowsConstructs(_ text: [UInt8]) -> Hit? {
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
    private static func pop3Numbered(_ line: [UInt8]) -> Bool {
        for verb: StaticString in ["list ", "top ", "retr ", "dele "] where line.hasLowercasePrefix(verb, at: 0) {
            let rest = line.dropFirst(verb.utf8CodeUnitCount)
            return !rest.isEmpty && rest.allSatisfy { ByteClass.isDigit($0) || $0 == UInt8(ascii: " ") }
        }
        return false
    }

    private static let imapVerbs: [StaticString] = [
        "login ", "select ", "examine ", "create ", "delete ", "rename ", "subscribe ", "unsubscribe ", "list ", "lsub ",
        "status ", "append ", "search ", "fetch ", "store ", "copy ", "uid ", "logout", "capability", "authenticate ", "quit", "noop",
    ]

    private static func imapCommand(_ line: [UInt8]) -> Bool {
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
