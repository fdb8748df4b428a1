import ScuteCore

/// A Dockerfile as BuildKit's parser reads it: parser directives, then one instruction per logical line
/// (after line continuations, with comments and empty lines inside continuations dropped), each with the
/// heredocs that follow it.
public struct Dockerfile: Sendable, Equatable {
    /// The escape token from the `escape` parser directive: a backslash (the default) or a backtick.
    public var escapeToken: Character
    /// The `syntax` parser directive, when there is one.
    public var syntax: String?
    /// The instructions, in order.
    public var instructions: [DockerfileInstruction]
    /// The physical line whose trailing escape token continues the last instruction into the end of the
    /// file. Text appended to such a file would join that instruction.
    public var danglingContinuationLine: Int?

    /// Parses Dockerfile text.
    public static func parse(_ text: String) throws(DockerfileError) -> Dockerfile {
        var parser = DockerfileParser(text: text)
        return try parser.parse()
    }
}

/// One instruction of a Dockerfile.
public struct DockerfileInstruction: Sendable, Equatable {
    /// A heredoc (`<<EOF` ... `EOF`) attached to a RUN, COPY or ADD.
    public struct Heredoc: Sendable, Equatable {
        /// The terminator word, without quotes.
        public var name: String
        /// The body, each line ending in a newline.
        public var content: String
        /// Whether variables in the body are expanded (the terminator was not quoted).
        public var expand: Bool
        /// Whether leading tabs are stripped (`<<-`).
        public var chomp: Bool
    }

    /// The instruction keyword, upper-cased (instructions are case-insensitive).
    public var keyword: String
    /// Leading `--name=value` flags, with quotes and escapes resolved.
    public var flags: [String]
    /// Everything after the keyword and the flags, trimmed.
    public var arguments: String
    /// The arguments as an exec-form list, when they are a JSON array of strings (CMD, ENTRYPOINT, SHELL,
    /// RUN, COPY, ADD).
    public var json: [String]?
    /// The heredocs that follow the instruction.
    public var heredocs: [Heredoc]
    /// The first physical line (1-based).
    public var startLine: Int
    /// The last physical line, heredoc bodies included.
    public var endLine: Int
    private var triggerStorage: [DockerfileInstruction]

    /// The instruction that an ONBUILD registers.
    public var trigger: DockerfileInstruction? { triggerStorage.first }

    init(
        keyword: String,
        flags: [String],
        arguments: String,
        json: [String]?,
        startLine: Int,
        endLine: Int,
        trigger: DockerfileInstruction?
    ) {
        self.keyword = keyword
        self.flags = flags
        self.arguments = arguments
        self.json = json
        self.heredocs = []
        self.startLine = startLine
        self.endLine = endLine
        self.triggerStorage = trigger.map { [$0] } ?? []
    }

    /// The value of a flag such as `--from`, when given.
    public func flag(_ name: String) -> String? {
        let prefix = "--\(name)="
        for f in flags where f.hasPrefix(prefix) { return String(f.dropFirst(prefix.count)) }
        return nil
    }

    var canContainHeredoc: Bool {
        if keyword == "ONBUILD", let trigger { return trigger.canContainHeredoc }
        return ["RUN", "COPY", "ADD"].contains(keyword) && json == nil
    }
}

/// Test access to the parser's exec-form heuristic.
enum DockerfileParserProbe {
    static func looksLikeExecForm(_ text: String) -> Bool { DockerfileParser.looksLikeExecForm(Substring(text)) }
}

/// The instructions BuildKit knows; anything else is an error.
let dockerfileKnownInstructions: Set<String> = [
    "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
    "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
]

private struct DockerfileParser {
    let lines: [String]
    var escape: Character = "\\"
    var syntax: String?
    var directivesDone = false
    var seenDirectives: Set<String> = []

    init(text: String) {
        var lines = dockerfileLines(text)
        if let first = lines.first, first.unicodeScalars.first == "\u{FEFF}" {
            lines[0] = String(String.UnicodeScalarView(first.unicodeScalars.dropFirst()))
        }
        self.lines = lines
    }

    mutating func parse() throws(DockerfileError) -> Dockerfile {
        var instructions: [DockerfileInstruction] = []
        var dangling: Int?
        var i = 0
        while i < lines.count {
            let lineNo = i + 1
            let stripped = trimLeadingWhitespace(lines[i])
            i += 1
            try possibleDirective(stripped, line: lineNo)
            let token = stripped.hasPrefix("#") ? "" : stripped
            var (line, isEnd) = trimContinuation(token)
            if isEnd && line.isEmpty { continue }
            var lastContinued: Int? = isEnd ? nil : lineNo
            while !isEnd && i < lines.count {
                let raw = lines[i]
                i += 1
                let trimmed = trimLeadingWhitespace(raw)
                if trimmed.hasPrefix("#") || trimmed.isEmpty { continue }
                let (cont, end) = trimContinuation(raw)
                line += cont
                isEnd = end
                if !end { lastContinued = i }
            }
            dangling = isEnd ? nil : lastContinued
            var instruction = try makeInstruction(line, startLine: lineNo, endLine: i)
            if instruction.canContainHeredoc && line.contains("<<") {
                for var heredoc in heredocs(in: line) {
                    var terminated = false
                    while i < lines.count {
                        let body = lines[i]
                        i += 1
                        var candidate = Substring(body)
                        if heredoc.chomp { candidate = candidate.drop { $0 == "\t" } }
                        if candidate == heredoc.name {
                            terminated = true
                            break
                        }
                        heredoc.content += body + "\n"
                    }
                    guard terminated else {
                        throw DockerfileError(
                            .unterminatedHeredoc,
                            line: lineNo,
                            "the heredoc <<\(heredoc.name) of this \(instruction.keyword) is never terminated: "
                                + "no line up to the end of the file reads exactly \(heredoc.name)"
                        )
                    }
                    instruction.heredocs.append(heredoc)
                }
                instruction.endLine = i
            }
            instructions.append(instruction)
        }
        return Dockerfile(escapeToken: escape, syntax: syntax, instructions: instructions, danglingContinuationLine: dangling)
    }

    // MARK: Parser directives

    /// Reads `# key=value` at the very top of the file. The first line that is not a known directive
    /// (a comment, an empty line, an instruction) ends the directives, as in BuildKit.
    mutating func possibleDirective(_ line: String, line lineNo: Int) throws(DockerfileError) {
        guard !directivesDone else { return }
        guard let (key, value) = Self.directive(line), ["escape", "syntax", "check"].contains(key) else {
            directivesDone = true
            return
        }
        guard seenDirectives.insert(key).inserted else {
            throw DockerfileError(.invalidDirective, line: lineNo, "only one \(key) parser directive can be used")
        }
        switch key {
        case "escape":
            guard value == "\\" || value == "`" else {
                throw DockerfileError(
                    .invalidDirective,
                    line: lineNo,
                    "invalid escape token '\(value)' does not match ` or \\"
                )
            }
            escape = Character(value)
        case "syntax":
            syntax = value
        default:
            break
        }
    }

    /// Matches `^#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=[ \t]*(.+?)[ \t]*$`.
    static func directive(_ line: String) -> (String, String)? {
        var rest = Substring(line)
        guard rest.first == "#" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        guard let first = rest.first, first.isASCII, first.isLetter else { return nil }
        let key = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber) }
        rest = rest.dropFirst(key.count).drop { $0 == " " || $0 == "\t" }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" }
        while let last = rest.last, last == " " || last == "\t" { rest = rest.dropLast() }
        guard !rest.isEmpty else { return nil }
        return (key.lowercased(), String(rest))
    }

    // MARK: Lines

    func trimLeadingWhitespace(_ s: String) -> String {
        String(s.drop { $0.isWhitespace })
    }

    /// Removes a trailing escape token (followed only by spaces and tabs); `isEnd` is false when one was
    /// removed, so the logical line goes on.
    func trimContinuation(_ s: String) -> (String, isEnd: Bool) {
        var end = s.endIndex
        while end > s.startIndex {
            let before = s.index(before: end)
            if s[before] == " " || s[before] == "\t" { end = before } else { break }
        }
        guard end > s.startIndex else { return (s, true) }
        let last = s.index(before: end)
        if s[last] == escape { return (String(s[..<last]), false) }
        return (s, true)
    }

    // MARK: Instructions

    func makeInstruction(_ line: String, startLine: Int, endLine: Int) throws(DockerfileError) -> DockerfileInstruction {
        let trimmed = line.dockerfileTrimmed()
        let word = trimmed.prefix { !$0.isWhitespace }
        let rest = trimmed.dropFirst(word.count).drop { $0.isWhitespace }
        let keyword = word.uppercased()
        guard dockerfileKnownInstructions.contains(keyword) else {
            throw DockerfileError(.invalidInstruction, line: startLine, "unknown instruction: \(word)")
        }
        let (arguments, flags) = extractFlags(String(rest))
        var json: [String]?
        var trigger: DockerfileInstruction?
        switch keyword {
        case "ONBUILD":
            guard !arguments.isEmpty else {
                throw DockerfileError(.invalidInstruction, line: startLine, "ONBUILD requires at least one argument")
            }
            let inner = try makeInstruction(arguments, startLine: startLine, endLine: endLine)
            if ["ONBUILD", "FROM", "MAINTAINER"].contains(inner.keyword) {
                let what = inner.keyword == "ONBUILD" ? "ONBUILD ONBUILD isn't allowed" : "\(inner.keyword) isn't allowed as an ONBUILD trigger"
                throw DockerfileError(.invalidInstruction, line: startLine, what)
            }
            trigger = inner
        case "CMD", "ENTRYPOINT", "SHELL":
            if let flag = flags.first {
                throw DockerfileError(.invalidInstruction, line: startLine, "\(keyword) takes no flags, got \(flag)")
            }
            json = try execForm(arguments, keyword: keyword, line: startLine, strict: true)
            if keyword == "SHELL" {
                guard let list = json else {
                    throw DockerfileError(.invalidInstruction, line: startLine, "SHELL requires the arguments to be in JSON form")
                }
                guard !list.isEmpty else {
                    throw DockerfileError(.invalidInstruction, line: startLine, "SHELL requires at least one argument")
                }
            }
        case "RUN", "COPY", "ADD":
            json = try execForm(arguments, keyword: keyword, line: startLine, strict: false)
        default:
            break
        }
        return DockerfileInstruction(
            keyword: keyword,
            flags: flags,
            arguments: arguments,
            json: json,
            startLine: startLine,
            endLine: endLine,
            trigger: trigger
        )
    }

    /// An exec-form list, as BuildKit's parseJSON reads it: text starting with `[` that is a JSON array of
    /// strings. Text that is not valid JSON is a shell-form command for BuildKit; `strict` (CMD, ENTRYPOINT,
    /// SHELL) turns text that starts like a JSON array of strings (`["`) but is not valid JSON into an error,
    /// since Docker would run it through a shell as a literal string, which nobody means.
    func execForm(_ text: String, keyword: String, line: Int, strict: Bool) throws(DockerfileError) -> [String]? {
        let rest = text.drop { $0.isWhitespace }
        guard rest.first == "[" else { return nil }
        let value: JSONValue
        do {
            value = try JSONValue.parse(String(rest))
        } catch {
            if strict && Self.looksLikeExecForm(rest) {
                throw DockerfileError(
                    .invalidJSON,
                    line: line,
                    "\(keyword) starts like an exec-form JSON array but is not valid JSON (\(error.reason)); "
                        + "Docker would run it as the shell command \(text), which is almost certainly not meant: "
                        + "use double quotes, close the array, and put nothing after it"
                )
            }
            return nil
        }
        guard case .array(let elements) = value else { return nil }
        guard let strings = value.stringArrayValue else {
            let bad = elements.first { $0.stringValue == nil }?.typeName ?? "value"
            throw DockerfileError(
                .invalidJSON,
                line: line,
                "\(keyword) exec form must be a JSON array of strings, found a \(bad)"
            )
        }
        return strings
    }

    /// Whether text that failed to parse as JSON was meant as an exec form: `[` then a quoted first element
    /// followed by `,` or `]` (or never closed). `[ "$A" = 1 ] && run` is a shell test, not an exec form.
    static func looksLikeExecForm(_ text: Substring) -> Bool {
        var rest = text.dropFirst().drop { $0.isWhitespace }
        guard let quote = rest.first else { return true }
        if quote == "]" { return true }
        guard quote == "\"" || quote == "'" else { return false }
        rest = rest.dropFirst()
        while let ch = rest.first {
            rest = rest.dropFirst()
            if ch == "\\" && quote == "\"" {
                rest = rest.dropFirst()
            } else if ch == quote {
                guard let next = rest.drop(while: { $0.isWhitespace }).first else { return true }
                return next == "," || next == "]"
            }
        }
        return true
    }

    /// Splits leading `--flag` words off the arguments, as BuildKit's extractBuilderFlags does: quotes and
    /// backslashes are resolved inside flags, and a lone `--` ends them.
    func extractFlags(_ line: String) -> (String, [String]) {
        let chars = Array(line)
        var words: [String] = []
        var pos = 0
        while true {
            while pos < chars.count && chars[pos].isWhitespace { pos += 1 }
            guard pos + 1 < chars.count, chars[pos] == "-", chars[pos + 1] == "-" else {
                return (String(chars[min(pos, chars.count)...]), words)
            }
            var word = ""
            var blankOK = false
            var quote: Character?
            while pos < chars.count {
                let ch = chars[pos]
                if let q = quote {
                    if ch == q {
                        quote = nil
                    } else if ch == "\\" && pos + 1 < chars.count {
                        pos += 1
                        word.append(chars[pos])
                    } else if ch != "\\" {
                        word.append(ch)
                    }
                    pos += 1
                    continue
                }
                if ch.isWhitespace { break }
                if ch == "'" || ch == "\"" {
                    quote = ch
                    blankOK = true
                } else if ch == "\\" {
                    if pos + 1 < chars.count {
                        pos += 1
                        word.append(chars[pos])
                    }
                } else {
                    word.append(ch)
                }
                pos += 1
            }
            if word == "--" {
                return (String(chars[pos...]).dockerfileTrimmed(), words)
            }
            if blankOK || !word.isEmpty { words.append(word) }
        }
    }

    // MARK: Heredocs

    /// The heredocs a line opens: its shell words (quotes kept) that read `[n]<<[-]NAME`.
    func heredocs(in line: String) -> [DockerfileInstruction.Heredoc] {
        var result: [DockerfileInstruction.Heredoc] = []
        for word in Self.rawWords(line) {
            var rest = Substring(word).drop { $0.isASCII && $0.isNumber }
            guard rest.hasPrefix("<<") else { continue }
            rest = rest.dropFirst(2)
            var chomp = false
            if rest.first == "-" {
                chomp = true
                rest = rest.dropFirst()
            }
            rest = rest.drop { $0.isWhitespace }
            guard !rest.isEmpty, !rest.contains("<") else { continue }
            let quoted = rest.first == "\"" || rest.first == "'"
            var name = ""
            var quote: Character?
            var it = rest.makeIterator()
            while let ch = it.next() {
                if let q = quote {
                    if ch == q { quote = nil } else { name.append(ch) }
                } else if ch == "\"" || ch == "'" {
                    quote = ch
                } else if ch == "\\" {
                    if let next = it.next() { name.append(next) }
                } else {
                    name.append(ch)
                }
            }
            guard !name.isEmpty else { continue }
            result.append(.init(name: name, content: "", expand: !quoted, chomp: chomp))
        }
        return result
    }

    /// Shell words with quotes and escapes kept as written (BuildKit's lexer with RawQuotes and RawEscapes).
    static func rawWords(_ line: String) -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var quote: Character?
        var chars = line.makeIterator()
        while let ch = chars.next() {
            if let q = quote {
                word.append(ch)
                if ch == q {
                    quote = nil
                } else if ch == "\\" && q == "\"", let next = chars.next() {
                    word.append(next)
                }
                continue
            }
            if ch.isWhitespace {
                if inWord { words.append(word) }
                word = ""
                inWord = false
                continue
            }
            inWord = true
            word.append(ch)
            if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == "\\", let next = chars.next() {
                word.append(next)
            }
        }
        if inWord { words.append(word) }
        return words
    }
}

/// The lines of a text without their line endings (LF or CRLF). Splits on Unicode scalars, since a Swift
/// Character holds "\r\n" as one.
func dockerfileLines(_ text: String) -> [String] {
    var lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
        var l = line
        while l.last == "\r" { l = l.dropLast() }
        return String(String.UnicodeScalarView(l))
    }
    if text.unicodeScalars.last == "\n" { lines.removeLast() }
    return lines
}

extension StringProtocol {
    func dockerfileTrimmed() -> String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = lastIndex { !$0.isWhitespace }.map { index(after: $0) } ?? endIndex
        return start < end ? String(self[start..<end]) : ""
    }
}
