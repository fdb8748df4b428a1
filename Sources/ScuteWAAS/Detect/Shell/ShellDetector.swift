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

    static let strongSeparators: [UInt8] = Array("|`".utf8)

    static func commandPositions(_ text: [UInt8], atValueStart: Bool, evasion: Bool) -> Hit? {
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

    static func isCommandStart(_ byte: UInt8) -> Bool {
        ByteClass.isLetter(byte) || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
    }

    /// Reads the word at a command position and decides; returns where the word ends.
    static func commandWord(_ text: [UInt8], at start: Int, strength: Int, evasion: Bool) -> (Int, Hit?) {
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
    static func aliasDefinition(_ text: [UInt8], after end: Int) -> Hit? {
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
    static func argumentEvidence(_ text: [UInt8], after end: Int) -> Bool {
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
    static func strongEvidence(_ text: [UInt8], after end: Int) -> Bool {
        var index = end
        while index < text.count && ByteClass.isSpace(text[index]) { index += 1 }
        guard index < text.count else { return false }
        let byte = text[index]
        return byte == UInt8(ascii: "/") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "|") || byte == UInt8(ascii: "<")
            || byte == UInt8(ascii: "$") || byte == UInt8(ascii: "`")
    }
}
