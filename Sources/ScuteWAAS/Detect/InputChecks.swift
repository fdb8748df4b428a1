/// The context checks of `KeywordRules`.
enum KeywordChecks {
    static func passes(_ check: KeywordRules.Check, text: [UInt8], start: Int, end: Int, input: Input) -> Bool {
        let before = start > 0 ? text[start - 1] : UInt8(ascii: " ")
        switch check {
        case .none:
            return true
        case .call:
            guard !isMember(text, start) else { return false }
            return KeywordMatcher.callParen(in: text, from: end) != nil
        case .tightCall:
            guard !isMember(text, start), end < text.count else { return false }
            return text[end] == UInt8(ascii: "(") || text[end] == UInt8(ascii: "`")
        case .userAgent:
            return input.source == .header && input.key.elementsEqual("user-agent".utf8)
        case .afterJava:
            return Array(text[0..<start]).firstIndex(ofLowercase: "java") != nil
        case .pathStart:
            if start == 0 { return true }
            return ByteClass.isSpace(before) || ByteClass.oneOf(before, "\"'=<>:;|&(`,[{")
        case .afterSlash:
            return start == 0 || before == UInt8(ascii: "/") || ByteClass.isSpace(before) || before == UInt8(ascii: "\\")
        case .directive:
            var cursor = end
            while cursor < text.count, ByteClass.isWord(text[cursor]) || text[cursor] == UInt8(ascii: ".") { cursor += 1 }
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            return cursor < text.count && text[cursor] == UInt8(ascii: "=") && cursor > end - 1
        case .cookieAssignment:
            var cursor = end
            while cursor < text.count && ByteClass.isSpace(text[cursor]) { cursor += 1 }
            return cursor < text.count && text[cursor] == UInt8(ascii: "=") && (cursor + 1 >= text.count || text[cursor + 1] != UInt8(ascii: "="))
        case .operatorName:
            if input.isName { return true }
            return before == UInt8(ascii: "[") || before == UInt8(ascii: "{") || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'")
        case .notPath:
            return input.source != .path
        }
    }

    private static func isMember(_ text: [UInt8], _ start: Int) -> Bool {
        guard start > 0 else { return false }
        let before = text[start - 1]
        if before == UInt8(ascii: ".") || before == UInt8(ascii: "$") { return true }
        if before == UInt8(ascii: ">"), start > 1, text[start - 2] == UInt8(ascii: "-") { return true }
        if before == UInt8(ascii: ":"), start > 1, text[start - 2] == UInt8(ascii: ":") { return true }
        return false
    }
}

/// Header injection, response splitting and embedded request lines inside an input.
enum InputSmuggling {
    private static let methods: [StaticString] = ["get ", "post ", "head ", "put ", "delete ", "options ", "connect ", "trace ", "patch "]
    private static let headerNames: [StaticString] = [
        "content-length", "content-type", "set-cookie", "location", "transfer-encoding", "host", "cookie", "remote-addr",
        "x-forwarded", "refresh", "connection", "content-disposition", "x-xss-protection",
    ]

    static func detect(_ value: NormalizedValue, input: Input) -> DetectorHit? {
        let text = value.lower
        if input.isName, value.flags.contains(.lineBreak) { return DetectorHit(.smugglingSplitting, 0, min(text.count, 40)) }
        // An HTTP request line anywhere: `GET http://x HTTP/1.1`.
        for method in methods where value.has("/") && text.firstIndex(ofLowercase: " http/") != nil {
            var from = 0
            while let found = text.firstIndex(ofLowercase: method, from: from) {
                from = found + 1
                if found > 0, ByteClass.isWord(text[found - 1]) { continue }
                var cursor = found + method.utf8CodeUnitCount
                let targetStart = cursor
                while cursor < text.count && !ByteClass.isSpace(text[cursor]) { cursor += 1 }
                guard cursor > targetStart, cursor + 6 < text.count, text[cursor] == UInt8(ascii: " ") else { continue }
                if text.hasLowercasePrefix("http/", at: cursor + 1), ByteClass.isDigit(text[cursor + 6]) {
                    return DetectorHit(.smugglingRequestLine, found, min(cursor + 9, text.count))
                }
            }
        }
        guard value.flags.contains(.lineBreak) else {
            if input.source == .query, text.firstIndex(ofLowercase: "unix:") != nil, text.contains(UInt8(ascii: "|")) {
                return DetectorHit(.smugglingUnixSocket, 0, min(text.count, 40))
            }
            return nil
        }
        var index = 0
        while index < text.count {
            let byte = text[index]
            guard byte == 0x0A || byte == 0x0D else {
                index += 1
                continue
            }
            let breakStart = index
            var breaks = 0
            while index < text.count && (text[index] == 0x0A || text[index] == 0x0D) {
                breaks += 1
                index += 1
            }
            // A bare CR (not part of CRLF) never occurs in form text.
            if byte == 0x0D && breaks == 1 && input.source == .query {
                return DetectorHit(.smugglingSplitting, breakStart, min(breakStart + 24, text.count))
            }
            if breaks >= 3, index < text.count, text[index] == UInt8(ascii: "<"), input.source != .form, input.source != .json,
                input.source != .multipart
            {
                return DetectorHit(.smugglingSplitting, breakStart, min(index + 16, text.count))
            }
            if text.hasLowercasePrefix("http/1.", at: index) || text.hasLowercasePrefix("http/2", at: index) {
                return DetectorHit(.smugglingSplitting, breakStart, min(index + 16, text.count))
            }
            for name in headerNames where text.hasLowercasePrefix(name, at: index) {
                var cursor = index + name.utf8CodeUnitCount
                while cursor < text.count, ByteClass.isWord(text[cursor]) || text[cursor] == UInt8(ascii: "-") || text[cursor] == UInt8(ascii: ".") {
                    cursor += 1
                }
                while cursor < text.count, ByteClass.isSpace(text[cursor]) { cursor += 1 }
                if cursor < text.count, text[cursor] == UInt8(ascii: ":") {
                    return DetectorHit(.smugglingSplitting, breakStart, min(cursor + 16, text.count))
                }
            }
        }
        return nil
    }
}

/// Parameter names that different frameworks split differently.
enum ParameterSyntax {
    /// `foo[1]a`: characters after an array subscript that are not another subscript.
    static func bogusBrackets(_ name: [UInt8]) -> Bool {
        guard let close = name.firstIndex(of: UInt8(ascii: "]")), name.firstIndex(of: UInt8(ascii: "[")) != nil else { return false }
        var index = close + 1
        while index < name.count {
            if name[index] == UInt8(ascii: "[") {
                guard let next = name[index...].firstIndex(of: UInt8(ascii: "]")) else { return true }
                index = next + 1
            } else {
                return true
            }
        }
        return false
    }
}

/// Parameters whose name says they choose a file or template to load.
enum RemoteInclude {
    static let names: [String] = [
        "include", "inc", "require", "file", "filename", "path", "page", "template", "tpl", "conf", "config", "dir", "root",
        "module", "mod", "load", "doc", "document", "folder", "skin", "theme", "layout", "view", "content", "plugin",
    ]

    static func isIncludeParameter(_ key: [UInt8]) -> Bool {
        // `_CONF[path]`, `mosConfig_absolute_path`: the last word of the name decides.
        var end = key.count
        while end > 0, !ByteClass.isLetter(key[end - 1]) { end -= 1 }
        var start = end
        while start > 0, ByteClass.isLetter(key[start - 1]) { start -= 1 }
        let word = key[start..<end]
        return names.contains { word.elementsEqual($0.utf8) }
    }
}

/// Uploads of server-side scripts: PHP, JSP, session files.
enum UploadCheck {
    static func detect(_ name: [UInt8]) -> DetectorHit? {
        // Trailing dots and spaces are dropped by Windows file systems: `shell.php...` is `shell.php`.
        var end = name.count
        while end > 0, name[end - 1] == UInt8(ascii: ".") || ByteClass.isSpace(name[end - 1]) { end -= 1 }
        let trimmed = Array(name[0..<end]).filter { !ByteClass.isSpace($0) }
        let base = trimmed.lastIndex(of: UInt8(ascii: "/")).map { Array(trimmed[($0 + 1)...]) } ?? trimmed
        if base.starts(with: "sess_".utf8) { return DetectorHit(.phpUpload, 0, name.count) }
        guard let dot = base.lastIndex(of: UInt8(ascii: ".")) else { return nil }
        let ext = base[(dot + 1)...]
        let php: [String] = ["php", "php3", "php4", "php5", "php6", "php7", "php8", "phtml", "phar", "phps", "pht", "pgif", "inc"]
        if php.contains(where: { ext.elementsEqual($0.utf8) }) { return DetectorHit(.phpUpload, 0, name.count) }
        let java: [String] = ["jsp", "jspx", "jspf", "jsw", "jsv", "jtml", "war"]
        if java.contains(where: { ext.elementsEqual($0.utf8) }) { return DetectorHit(.javaUpload, 0, name.count) }
        // Double extensions hiding a script: `photo.php.jpg`.
        if let inner = base[..<dot].lastIndex(of: UInt8(ascii: ".")), php.contains(where: { base[(inner + 1)..<dot].elementsEqual($0.utf8) }) {
            return DetectorHit(.phpUpload, 0, name.count)
        }
        return nil
    }
}
