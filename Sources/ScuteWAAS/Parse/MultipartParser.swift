/// `multipart/form-data` bodies: each field becomes `multipart:name`, each file name `multipart:name#filename`.
enum MultipartParser {
    struct Issues: OptionSet, Sendable {
        let rawValue: UInt16
        static let unterminated = Issues(rawValue: 1 << 0)
        static let noParts = Issues(rawValue: 1 << 1)
        static let suspiciousFilename = Issues(rawValue: 1 << 2)
        static let suspiciousName = Issues(rawValue: 1 << 3)
        static let charset = Issues(rawValue: 1 << 4)
        static let transferEncoding = Issues(rawValue: 1 << 5)
        static let missingDisposition = Issues(rawValue: 1 << 6)
    }

    /// The `boundary` parameter of a multipart content type.
    static func boundary(of contentType: [UInt8]) -> [UInt8]? {
        guard let start = contentType.firstIndex(ofLowercase: "boundary=") else { return nil }
        var value = contentType[(start + 9)...]
        if let semicolon = value.firstIndex(of: UInt8(ascii: ";")) { value = value[value.startIndex..<semicolon] }
        while let last = value.last, ByteClass.isSpace(last) { value = value.dropLast() }
        if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
            value = value.dropFirst().dropLast()
        }
        return value.isEmpty ? nil : Array(value)
    }

    static func parse(
        _ body: [UInt8],
        boundary: [UInt8],
        truncated: Bool,
        allowedCharsets: Set<String>,
        into collector: inout InputCollector
    ) -> Issues {
        var issues: Issues = []
        let delimiter = Array("--".utf8) + boundary
        guard var position = find(delimiter, in: body, from: 0) else { return [.noParts] }
        var parts = 0
        while !collector.overflowed {
            var cursor = position + delimiter.count
            if cursor + 1 < body.count, body[cursor] == UInt8(ascii: "-"), body[cursor + 1] == UInt8(ascii: "-") { break }
            guard let lineEnd = body[cursor...].firstIndex(of: 0x0A) else {
                if !truncated { issues.insert(.unterminated) }
                break
            }
            cursor = lineEnd + 1
            // Part headers.
            var name: [UInt8] = []
            var filename: [UInt8]?
            var partType: [UInt8] = []
            var sawDisposition = false
            while cursor < body.count {
                let end = body[cursor...].firstIndex(of: 0x0A) ?? body.count
                var line = body[cursor..<end]
                if line.last == 0x0D { line = line.dropLast() }
                cursor = end + 1
                if line.isEmpty { break }
                let lowered = Array(line).asciiLowercased()
                if lowered.hasLowercasePrefix("content-disposition:", at: 0) {
                    sawDisposition = true
                    name = parameter("name", in: Array(line)) ?? []
                    filename = parameter("filename", in: Array(line))
                } else if lowered.hasLowercasePrefix("content-type:", at: 0) {
                    partType = Array(lowered.dropFirst(13))
                    if let charset = parameter("charset", in: lowered) {
                        let text = String(decoding: charset, as: UTF8.self).trimmingSpaces
                        if !allowedCharsets.contains(text) { issues.insert(.charset) }
                    }
                } else if lowered.hasLowercasePrefix("content-transfer-encoding:", at: 0) {
                    issues.insert(.transferEncoding)
                }
            }
            if !sawDisposition { issues.insert(.missingDisposition) }
            // Content up to the next delimiter line.
            let next = find(delimiter, in: body, from: cursor)
            var contentEnd = next ?? body.count
            if next == nil && !truncated { issues.insert(.unterminated) }
            if contentEnd > cursor, body[contentEnd - 1] == 0x0A { contentEnd -= 1 }
            if contentEnd > cursor, body[contentEnd - 1] == 0x0D { contentEnd -= 1 }
            let content = cursor <= contentEnd ? Array(body[cursor..<contentEnd]) : []
            parts += 1
            let location = "multipart:" + LocationText.sanitize(name)
            let plainName = withoutEntities(name)
            if plainName.contains(UInt8(ascii: ";")) || plainName.contains(UInt8(ascii: "\"")) {
                issues.insert(.suspiciousName)
            }
            if !name.isEmpty {
                collector.add(Input(location: location, source: .multipart, isName: true, bytes: name, key: name.asciiLowercased()))
            }
            if let filename {
                if withoutEntities(filename).contains(where: {
                    $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"")
                }) {
                    issues.insert(.suspiciousFilename)
                }
                collector.add(Input(location: location + "#filename", source: .filename, isName: false, bytes: filename, key: name.asciiLowercased()))
                if isTextual(partType, content) {
                    collector.add(Input(location: location, source: .multipart, isName: false, bytes: content, key: name.asciiLowercased()))
                }
            } else {
                collector.add(Input(location: location, source: .multipart, isName: false, bytes: content, key: name.asciiLowercased()))
                if name.asciiLowercased().elementsEqual("_charset_".utf8),
                    !allowedCharsets.contains(String(decoding: content, as: UTF8.self).trimmingSpaces.lowercased())
                {
                    issues.insert(.charset)
                }
            }
            guard let next else { break }
            position = next
        }
        if parts == 0 { issues.insert(.noParts) }
        return issues
    }

    /// The name with HTML character references (`&auml;`, `&#38;`) removed: their `;` is not a delimiter trick.
    static func withoutEntities(_ name: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        while index < name.count {
            if name[index] == UInt8(ascii: "&") {
                var end = index + 1
                if end < name.count, name[end] == UInt8(ascii: "#") { end += 1 }
                while end < name.count, ByteClass.isWord(name[end]), end - index < 12 { end += 1 }
                if end < name.count, name[end] == UInt8(ascii: ";"), end > index + 1 {
                    index = end + 1
                    continue
                }
            }
            output.append(name[index])
            index += 1
        }
        return output
    }

    /// File contents are inspected only when they look like text (scripts), not media or archives.
    private static func isTextual(_ partType: [UInt8], _ content: [UInt8]) -> Bool {
        let type = String(decoding: partType, as: UTF8.self).trimmingSpaces
        for prefix in ["image/", "video/", "audio/", "font/", "application/pdf", "application/zip", "application/octet-stream"]
        where type.hasPrefix(prefix) {
            return Array(content.prefix(4096)).firstIndex(ofLowercase: "<?php") != nil
        }
        return !content.prefix(1024).contains(0)
    }

    /// A `key=value` or `key="value"` parameter of a header line (case-insensitive key, whole word).
    static func parameter(_ key: StaticString, in line: [UInt8]) -> [UInt8]? {
        var from = 0
        while let found = line.firstIndex(ofLowercase: key, from: from) {
            from = found + 1
            let after = found + key.utf8CodeUnitCount
            if found > 0, ByteClass.isWord(line[found - 1]) || line[found - 1] == UInt8(ascii: "*") { continue }
            var cursor = after
            while cursor < line.count && ByteClass.isSpace(line[cursor]) { cursor += 1 }
            guard cursor < line.count, line[cursor] == UInt8(ascii: "=") else { continue }
            cursor += 1
            while cursor < line.count && ByteClass.isSpace(line[cursor]) { cursor += 1 }
            if cursor < line.count, line[cursor] == UInt8(ascii: "\"") {
                var end = cursor + 1
                var value: [UInt8] = []
                while end < line.count && line[end] != UInt8(ascii: "\"") {
                    if line[end] == UInt8(ascii: "\\"), end + 1 < line.count, line[end + 1] == UInt8(ascii: "\"") {
                        value.append(UInt8(ascii: "\\"))
                        end += 1
                    }
                    value.append(line[end])
                    end += 1
                }
                return value
            }
            var end = cursor
            while end < line.count && line[end] != UInt8(ascii: ";") && !ByteClass.isSpace(line[end]) { end += 1 }
            return Array(line[cursor..<end])
        }
        return nil
    }

    static func find(_ pattern: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !pattern.isEmpty, bytes.count >= pattern.count else { return nil }
        var index = start
        let first = pattern[0]
        while index + pattern.count <= bytes.count {
            if bytes[index] == first {
                var match = true
                for offset in 1..<pattern.count where bytes[index + offset] != pattern[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}

extension String {
    var trimmingSpaces: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" || first == "\"" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" || last == "\"" { view = view.dropLast() }
        return String(view)
    }
}
