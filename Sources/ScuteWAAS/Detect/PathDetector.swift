/// Path traversal: `../` steps after normalisation (backslashes, overlong and double encodings already undone).
enum PathDetector {
    static func detect(_ value: NormalizedValue, source: InputSource) -> DetectorHit? {
        let text = value.lower
        guard text.count >= 3, text.contains(UInt8(ascii: ".")) else { return nil }
        var steps = 0
        var first = -1
        var index = 0
        while index + 2 < text.count {
            guard text[index] == UInt8(ascii: "."), text[index + 1] == UInt8(ascii: ".") else {
                index += 1
                continue
            }
            var cursor = index + 2
            var dots = 2
            while cursor < text.count && text[cursor] == UInt8(ascii: ".") {
                dots += 1
                cursor += 1
            }
            let before = index > 0 ? text[index - 1] : UInt8(ascii: "/")
            let boundary =
                before == UInt8(ascii: "/") || before == UInt8(ascii: "\\") || ByteClass.isSpace(before) || before == UInt8(ascii: "=")
                || before == UInt8(ascii: "\"") || before == UInt8(ascii: "'") || index == 0
            if cursor < text.count, boundary {
                let separator = text[cursor]
                if separator == UInt8(ascii: ";") {
                    // Tomcat path parameter: `..;/`
                    return DetectorHit(.lfiTraversal, index, min(cursor + 8, text.count))
                }
                if separator == UInt8(ascii: "/") || separator == UInt8(ascii: "\\") {
                    if dots == 3 { return DetectorHit(.lfiTraversal, index, min(cursor + 12, text.count)) }
                    if dots == 2 {
                        if first < 0 { first = index }
                        steps += 1
                    }
                }
            }
            index = cursor
        }
        guard steps > 0 else { return nil }
        if steps >= 2 { return DetectorHit(.lfiTraversal, first, min(first + 24, text.count)) }
        // One step: only at the start of a value or file name (`../config`), never inside prose.
        if source == .path { return DetectorHit(.lfiTraversal, first, min(first + 24, text.count)) }
        if first == 0 && (source == .filename || text.count < 64) && !text.contains(UInt8(ascii: " ")) {
            return DetectorHit(.lfiTraversal, first, min(first + 24, text.count))
        }
        return nil
    }
}
