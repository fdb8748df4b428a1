/// The word processing BuildKit applies to FROM image names and ARG defaults: quotes, the escape token,
/// and `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`, `${VAR:+word}`, `${VAR+word}` expansion.
struct DockerfileShellWord {
    let escape: Character
    let environment: [String: String]

    struct Failure: Error {
        let message: String
    }

    /// Processes one word.
    func process(_ word: String) throws(Failure) -> String {
        var scanner = Scanner(chars: Array(word))
        return try lex(&scanner, stopAt: nil)
    }

    private struct Scanner {
        let chars: [Character]
        var pos = 0
        var atEnd: Bool { pos >= chars.count }
        var peek: Character? { atEnd ? nil : chars[pos] }
        mutating func next() -> Character? {
            guard !atEnd else { return nil }
            defer { pos += 1 }
            return chars[pos]
        }
    }

    private func lex(_ s: inout Scanner, stopAt stop: Character?) throws(Failure) -> String {
        var out = ""
        while let ch = s.peek {
            if let stop, ch == stop { return out }
            s.pos += 1
            switch ch {
            case "'":
                var closed = false
                while let c = s.next() {
                    if c == "'" {
                        closed = true
                        break
                    }
                    out.append(c)
                }
                if !closed { throw Failure(message: "unexpected end of statement while looking for matching single-quote") }
            case "\"":
                var closed = false
                while let c = s.next() {
                    if c == "\"" {
                        closed = true
                        break
                    }
                    if c == escape {
                        guard let n = s.peek else { break }
                        if n == "\"" || n == "$" || n == escape {
                            out.append(n)
                            s.pos += 1
                        } else {
                            out.append(c)
                        }
                    } else if c == "$" {
                        out += try dollar(&s)
                    } else {
                        out.append(c)
                    }
                }
                if !closed { throw Failure(message: "unexpected end of statement while looking for matching double-quote") }
            case escape:
                if let n = s.next() { out.append(n) }
            case "$":
                out += try dollar(&s)
            default:
                out.append(ch)
            }
        }
        if stop != nil { throw Failure(message: "missing '}' in a ${...} expansion") }
        return out
    }

    private static func isNameChar(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }

    private func dollar(_ s: inout Scanner) throws(Failure) -> String {
        guard let c = s.peek else { return "$" }
        if c == "{" {
            s.pos += 1
            var name = ""
            while let n = s.peek, Self.isNameChar(n) {
                name.append(n)
                s.pos += 1
            }
            guard let op = s.next() else { throw Failure(message: "missing '}' in ${\(name)") }
            let value = environment[name]
            if op == "}" { return value ?? "" }
            var colon = false
            var modifier = op
            if op == ":" {
                colon = true
                guard let m = s.next() else { throw Failure(message: "missing '}' in ${\(name):") }
                modifier = m
            }
            let word = try lex(&s, stopAt: "}")
            s.pos += 1
            let isSet = colon ? !(value ?? "").isEmpty : value != nil
            switch modifier {
            case "-": return isSet ? value ?? "" : word
            case "+": return isSet ? word : ""
            case "?":
                if !isSet { throw Failure(message: "\(name): \(word.isEmpty ? "is not allowed to be unset" : word)") }
                return value ?? ""
            default:
                throw Failure(message: "unsupported modifier (\(modifier)) in substitution of \(name)")
            }
        }
        if Self.isNameChar(c) {
            var name = ""
            if c.isNumber {
                name.append(c)
                s.pos += 1
            } else {
                while let n = s.peek, Self.isNameChar(n) {
                    name.append(n)
                    s.pos += 1
                }
            }
            return environment[name] ?? ""
        }
        return "$"
    }

    /// Splits text into words at unquoted whitespace, keeping quotes and escapes (BuildKit's parseWords, used
    /// for ARG and ENV).
    static func words(_ text: String, escape: Character) -> [String] {
        var words: [String] = []
        var word = ""
        var quote: Character?
        var it = text.makeIterator()
        while let ch = it.next() {
            if let q = quote {
                word.append(ch)
                if ch == q {
                    quote = nil
                } else if ch == escape && q == "\"", let n = it.next() {
                    word.append(n)
                }
                continue
            }
            if ch.isWhitespace {
                if !word.isEmpty { words.append(word) }
                word = ""
                continue
            }
            word.append(ch)
            if ch == "\"" || ch == "'" {
                quote = ch
            } else if ch == escape, let n = it.next() {
                word.append(n)
            }
        }
        if !word.isEmpty { words.append(word) }
        return words
    }
}
