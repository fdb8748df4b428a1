/// A multi-pattern, case-insensitive substring matcher (Aho-Corasick compiled to a DFA), built once.
struct KeywordMatcher: Sendable {
    struct Options: OptionSet, Sendable {
        let rawValue: UInt8
        /// The byte before the match must not be a letter, digit or underscore.
        static let wordStart = Options(rawValue: 1)
        /// The byte after the match must not be a letter, digit or underscore.
        static let wordEnd = Options(rawValue: 2)
        /// After the match, optional whitespace and `/* */` comments, then `(`.
        static let call = Options(rawValue: 4)
        static let word: Options = [.wordStart, .wordEnd]
    }

    struct Pattern: Sendable {
        var bytes: [UInt8]
        var tag: Int
        var options: Options

        init(_ text: String, tag: Int, options: Options = []) {
            self.bytes = Array(text.utf8).asciiLowercased()
            self.tag = tag
            self.options = options
        }
    }

    private let patterns: [Pattern]
    private let classOf: [UInt8]
    private let width: Int
    private let transitions: [Int32]
    private let outputs: [[Int32]]

    init(_ patterns: [Pattern]) {
        self.patterns = patterns
        var classOf = [UInt8](repeating: 0, count: 256)
        var next: UInt8 = 1
        for pattern in patterns {
            for byte in pattern.bytes where classOf[Int(byte)] == 0 {
                classOf[Int(byte)] = next
                if byte &- 97 < 26 { classOf[Int(byte - 32)] = next }
                next += 1
            }
        }
        let width = Int(next)
        // Trie.
        var trie: [[Int32]] = [[Int32](repeating: -1, count: width)]
        var outputs: [[Int32]] = [[]]
        for (index, pattern) in patterns.enumerated() {
            var state = 0
            for byte in pattern.bytes {
                let symbol = Int(classOf[Int(byte)])
                if trie[state][symbol] < 0 {
                    trie.append([Int32](repeating: -1, count: width))
                    outputs.append([])
                    trie[state][symbol] = Int32(trie.count - 1)
                }
                state = Int(trie[state][symbol])
            }
            outputs[state].append(Int32(index))
        }
        // Breadth-first failure links, completing the DFA.
        var fail = [Int32](repeating: 0, count: trie.count)
        var queue: [Int] = []
        for symbol in 0..<width {
            if trie[0][symbol] < 0 {
                trie[0][symbol] = 0
            } else {
                queue.append(Int(trie[0][symbol]))
            }
        }
        var head = 0
        while head < queue.count {
            let state = queue[head]
            head += 1
            outputs[state].append(contentsOf: outputs[Int(fail[state])])
            for symbol in 0..<width {
                let child = trie[state][symbol]
                if child < 0 {
                    trie[state][symbol] = trie[Int(fail[state])][symbol]
                } else {
                    fail[Int(child)] = trie[Int(fail[state])][symbol]
                    queue.append(Int(child))
                }
            }
        }
        self.classOf = classOf
        self.width = width
        self.transitions = trie.flatMap { $0 }
        self.outputs = outputs
    }

    /// Calls `body(tag, start, end)` for each match that satisfies its options; stop by returning false.
    func forEachMatch(in text: [UInt8], _ body: (Int, Int, Int) -> Bool) {
        var state = 0
        for index in text.indices {
            state = Int(transitions[state * width + Int(classOf[Int(text[index])])])
            let found = outputs[state]
            if found.isEmpty { continue }
            for patternIndex in found {
                let pattern = patterns[Int(patternIndex)]
                let start = index + 1 - pattern.bytes.count
                let end = index + 1
                if pattern.options.contains(.wordStart), start > 0, ByteClass.isWord(text[start - 1]) { continue }
                if pattern.options.contains(.wordEnd), end < text.count, ByteClass.isWord(text[end]) { continue }
                if pattern.options.contains(.call), KeywordMatcher.callParen(in: text, from: end) == nil { continue }
                if !body(pattern.tag, start, end) { return }
            }
        }
    }

    /// The index of the `(` that follows `from` after whitespace and C comments, if any.
    static func callParen(in text: [UInt8], from: Int) -> Int? {
        var index = from
        var budget = 64
        while index < text.count && budget > 0 {
            budget -= 1
            let byte = text[index]
            if ByteClass.isSpace(byte) {
                index += 1
            } else if byte == UInt8(ascii: "/"), index + 1 < text.count, text[index + 1] == UInt8(ascii: "*") {
                var close = index + 2
                while close + 1 < text.count && !(text[close] == UInt8(ascii: "*") && text[close + 1] == UInt8(ascii: "/")) {
                    close += 1
                }
                index = close + 2
            } else {
                return byte == UInt8(ascii: "(") ? index : nil
            }
        }
        return nil
    }
}
