/// Cross-site scripting by reading the input as HTML: tags, attributes, event handlers and URLs are tokenized;
/// ordinary rich text (`<b>`, `<a href="https://...">`, lists, images without handlers) passes.
enum HTMLDetector {
    struct Hit {
        var rule: WAASRule
        var start: Int
        var end: Int
    }

    /// Tags that run script, load resources into the page or change how it is parsed.
    static let dangerousTags: Set<[UInt8]> = Set(
        [
            "script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta", "link", "style",
            "math", "form", "isindex", "vmlframe", "xml", "import", "noscript", "bgsound", "layer", "ilayer", "xss",
            "handler", "listener", "portal", "template", "marquee", "xmp", "plaintext", "noembed",
        ].map { Array($0.utf8) }
    )

    static let urlAttributes: Set<[UInt8]> = Set(
        [
            "href", "src", "action", "formaction", "data", "xlink:href", "background", "lowsrc", "dynsrc", "poster",
            "codebase", "code", "archive", "from", "to", "values", "by", "srcset", "content", "ping", "cite", "longdesc",
        ].map { Array($0.utf8) }
    )

    static func detect(_ value: NormalizedValue) -> Hit? {
        let text = value.lower
        var index = 0
        if value.has("<") {
            while let open = text[index...].firstIndex(of: UInt8(ascii: "<")) {
                if let hit = tag(text, at: open) { return hit }
                index = open + 1
            }
        }
        if value.has(":"), let hit = scriptURL(text) { return hit }
        if value.has("("), let hit = cssScript(text) { return hit }
        if value.has("="), let hit = bareEventHandler(text) { return hit }
        if value.has("[`"), let hit = obfuscation(text) { return hit }
        if value.has("+"), let found = text.firstIndex(ofLowercase: "+adw-") { return Hit(rule: .xssUTF7, start: found, end: found + 5) }
        return nil
    }

    // MARK: Tags

    static func tag(_ text: [UInt8], at open: Int) -> Hit? {
        var cursor = open + 1
        if cursor < text.count, text[cursor] == UInt8(ascii: "/") { cursor += 1 }
        guard cursor < text.count else { return nil }
        guard ByteClass.isLetter(text[cursor]) else { return splitTag(text, at: open) }
        let nameStart = cursor
        while cursor < text.count, ByteClass.isWord(text[cursor]) || text[cursor] == UInt8(ascii: ":") || text[cursor] == UInt8(ascii: "-") {
            cursor += 1
        }
        var name = text[nameStart..<cursor]
        if let colon = name.lastIndex(of: UInt8(ascii: ":")) { name = name[(colon + 1)...] }
        if dangerousTags.contains(Array(name)) || name.starts(with: "import".utf8) { return Hit(rule: .xssTag, start: open, end: cursor) }
        if name.count <= 2, let split = splitTag(text, at: open) { return split }
        // Attributes up to `>` (or the end: a truncated tag still executes in many sinks).
        var attributeCount = 0
        while cursor < text.count && attributeCount < 64 {
            while cursor < text.count,
                ByteClass.isSpace(text[cursor]) || text[cursor] == UInt8(ascii: "/") || text[cursor] == UInt8(ascii: "\"")
                    || text[cursor] == UInt8(ascii: "'")
            {
                cursor += 1
            }
            guard cursor < text.count, text[cursor] != UInt8(ascii: ">"), text[cursor] != UInt8(ascii: "<") else { break }
            attributeCount += 1
            let attrStart = cursor
            while cursor < text.count, !ByteClass.isSpace(text[cursor]), text[cursor] != UInt8(ascii: "="), text[cursor] != UInt8(ascii: ">"),
                text[cursor] != UInt8(ascii: "/")
            {
                cursor += 1
            }
            let attribute = text[attrStart..<cursor]
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            var value: ArraySlice<UInt8> = []
            if cursor < text.count, text[cursor] == UInt8(ascii: "=") {
                cursor += 1
                while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
                if cursor < text.count, text[cursor] == UInt8(ascii: "\"") || text[cursor] == UInt8(ascii: "'") || text[cursor] == UInt8(ascii: "`") {
                    let quote = text[cursor]
                    let valueStart = cursor + 1
                    let valueEnd = text[valueStart...].firstIndex(of: quote) ?? text.count
                    value = text[valueStart..<valueEnd]
                    cursor = min(valueEnd + 1, text.count)
                } else {
                    let valueStart = cursor
                    while cursor < text.count, !ByteClass.isSpace(text[cursor]), text[cursor] != UInt8(ascii: ">") { cursor += 1 }
                    value = text[valueStart..<cursor]
                }
            }
            if isEventHandler(attribute) { return Hit(rule: .xssEventHandler, start: attrStart, end: cursor) }
            if attribute.elementsEqual("srcdoc".utf8) { return Hit(rule: .xssURLAttribute, start: attrStart, end: cursor) }
            if attribute.elementsEqual("style".utf8), dangerousStyle(value) { return Hit(rule: .xssStyle, start: attrStart, end: cursor) }
            if urlAttributes.contains(Array(attribute)), dangerousURL(value) { return Hit(rule: .xssURLAttribute, start: attrStart, end: cursor) }
        }
        return nil
    }

    static func isEventHandler(_ attribute: ArraySlice<UInt8>) -> Bool {
        guard attribute.count >= 5, attribute.starts(with: "on".utf8) else { return false }
        return attribute.dropFirst(2).allSatisfy { ByteClass.isLetter($0) }
    }

    /// `< x: script`, `<f o r m`: a dangerous tag name with junk between its letters.
    static func splitTag(_ text: [UInt8], at open: Int) -> Hit? {
        var letters: [UInt8] = []
        var cursor = open + 1
        var junk = 0
        while cursor < text.count && letters.count < 12 && cursor - open < 40 {
            let byte = text[cursor]
            if byte == UInt8(ascii: ">") || byte == UInt8(ascii: "<") { break }
            if ByteClass.isLetter(byte) {
                letters.append(byte)
            } else if byte == UInt8(ascii: ":") {
                letters.removeAll()
                junk += 1
            } else if ByteClass.isSpace(byte) || !ByteClass.isWord(byte) {
                junk += 1
                if junk > 12 { break }
            } else {
                break
            }
            cursor += 1
            if dangerousTags.contains(letters) && letters.count >= 4 && junk > 0 {
                return Hit(rule: .xssSplitTag, start: open, end: cursor)
            }
        }
        return nil
    }
}
