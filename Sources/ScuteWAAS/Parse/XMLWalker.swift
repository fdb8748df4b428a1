/// A small, forgiving XML scanner: attribute values and text become `xml:/a/b/@attr` and `xml:/a/b` inputs.
/// Element and attribute names are not inspected (as in the reference rule set); the DOCTYPE is, whole.
enum XMLWalker {
    /// Returns false when the document is clearly not XML (no element at all, or unbalanced tags).
    static func walk(_ bytes: [UInt8], maxDepth: Int, into collector: inout InputCollector) -> Bool {
        var stack: [[UInt8]] = []
        var index = 0
        var sawElement = false
        var text: [UInt8] = []
        func pathString(_ stack: [[UInt8]]) -> String {
            var path: [UInt8] = []
            for name in stack.suffix(8) {
                path.append(UInt8(ascii: "/"))
                path.append(contentsOf: name.prefix(32))
            }
            return "xml:" + LocationText.sanitize(path.isEmpty ? Array("/".utf8) : path)
        }
        func flushText(_ text: inout [UInt8], stack: [[UInt8]], collector: inout InputCollector) {
            var trimmedStart = 0
            while trimmedStart < text.count && ByteClass.isSpace(text[trimmedStart]) { trimmedStart += 1 }
            if trimmedStart < text.count {
                collector.add(Input(location: pathString(stack), source: .xml, isName: false, bytes: text, key: stack.last ?? []))
            }
            text.removeAll(keepingCapacity: true)
        }
        while index < bytes.count && !collector.overflowed {
            let byte = bytes[index]
            if byte != UInt8(ascii: "<") {
                text.append(byte)
                index += 1
                continue
            }
            if bytes.hasLowercasePrefix("<![cdata[", at: index) {
                let start = index + 9
                let end = find(bytes, "]]>", from: start) ?? bytes.count
                text.append(contentsOf: bytes[start..<end])
                index = end + 3
                continue
            }
            flushText(&text, stack: stack, collector: &collector)
            if bytes.hasLowercasePrefix("<!--", at: index) {
                index = (find(bytes, "-->", from: index + 4) ?? bytes.count) + 3
                continue
            }
            if bytes.hasLowercasePrefix("<?", at: index) {
                index = (find(bytes, "?>", from: index + 2) ?? bytes.count) + 2
                continue
            }
            if bytes.hasLowercasePrefix("<!", at: index) {
                // DOCTYPE (possibly with an internal subset): inspected whole, for external entities.
                var depth = 0
                var end = index + 2
                while end < bytes.count {
                    if bytes[end] == UInt8(ascii: "[") { depth += 1 }
                    if bytes[end] == UInt8(ascii: "]") { depth -= 1 }
                    if bytes[end] == UInt8(ascii: ">") && depth <= 0 { break }
                    end += 1
                }
                collector.add(
                    Input(location: "xml:!DOCTYPE", source: .xml, isName: false, bytes: Array(bytes[index..<min(end + 1, bytes.count)]), key: [])
                )
                index = end + 1
                continue
            }
            // Element tag.
            var cursor = index + 1
            let closing = cursor < bytes.count && bytes[cursor] == UInt8(ascii: "/")
            if closing { cursor += 1 }
            let nameStart = cursor
            while cursor < bytes.count, !ByteClass.isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: ">"), bytes[cursor] != UInt8(ascii: "/") {
                cursor += 1
            }
            let name = Array(bytes[nameStart..<cursor])
            if name.isEmpty { return false }
            sawElement = true
            if closing {
                if let last = stack.last, last == name { stack.removeLast() } else { return false }
                while cursor < bytes.count && bytes[cursor] != UInt8(ascii: ">") { cursor += 1 }
                index = cursor + 1
                continue
            }
            stack.append(name)
            if stack.count > maxDepth { return false }
            // Attributes.
            var selfClosing = false
            while cursor < bytes.count {
                while cursor < bytes.count && ByteClass.isSpace(bytes[cursor]) { cursor += 1 }
                guard cursor < bytes.count else { break }
                if bytes[cursor] == UInt8(ascii: ">") { break }
                if bytes[cursor] == UInt8(ascii: "/") {
                    selfClosing = true
                    cursor += 1
                    continue
                }
                let attrStart = cursor
                while cursor < bytes.count, bytes[cursor] != UInt8(ascii: "="), !ByteClass.isSpace(bytes[cursor]), bytes[cursor] != UInt8(ascii: ">")
                {
                    cursor += 1
                }
                let attrName = Array(bytes[attrStart..<cursor])
                while cursor < bytes.count && ByteClass.isSpace(bytes[cursor]) { cursor += 1 }
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: "=") else { continue }
                cursor += 1
                while cursor < bytes.count && ByteClass.isSpace(bytes[cursor]) { cursor += 1 }
                guard cursor < bytes.count else { return false }
                let quote = bytes[cursor]
                guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return false }
                let valueStart = cursor + 1
                guard let valueEnd = bytes[valueStart...].firstIndex(of: quote) else { return false }
                let location = pathString(stack) + "/@" + LocationText.sanitize(attrName)
                collector.add(Input(location: location, source: .xml, isName: false, bytes: Array(bytes[valueStart..<valueEnd]), key: attrName))
                cursor = valueEnd + 1
            }
            if selfClosing { stack.removeLast() }
            index = cursor + 1
        }
        flushText(&text, stack: stack, collector: &collector)
        return sawElement && stack.isEmpty
    }

    private static func find(_ bytes: [UInt8], _ pattern: StaticString, from start: Int) -> Int? {
        bytes.firstIndex(ofLowercase: pattern, from: start)
    }
}
