/// Short, printable, redacted excerpts for findings.
enum Excerpt {
    static let width = 40

    /// About 40 characters around `start..<end` of `text`: control characters escaped, runs of 9+ digits masked.
    static func make(_ text: [UInt8], start: Int, end: Int) -> String {
        let lower = max(0, min(start, text.count))
        let upper = max(lower, min(end, text.count))
        var from = max(0, lower - 8)
        var to = min(text.count, max(upper, from + 1))
        if to - from > width { to = from + width }
        if upper - lower < width - 8, to - from < width { to = min(text.count, from + width) }
        // Do not start or end inside a UTF-8 sequence.
        while from > 0 && from < text.count && text[from] & 0xC0 == 0x80 { from -= 1 }
        while to < text.count && text[to] & 0xC0 == 0x80 { to += 1 }
        var output = ""
        var digits: [UInt8] = []
        func flushDigits() {
            if digits.count >= 9 {
                output += "\(String(decoding: digits.prefix(2), as: UTF8.self))…[\(digits.count) digits]"
            } else {
                output += String(decoding: digits, as: UTF8.self)
            }
            digits.removeAll()
        }
        var index = from
        while index < to {
            let byte = text[index]
            if ByteClass.isDigit(byte) {
                digits.append(byte)
                index += 1
                continue
            }
            flushDigits()
            switch byte {
            case 0x0A: output += "\\n"
            case 0x0D: output += "\\r"
            case 0x09: output += "\\t"
            case 0..<0x20, 0x7F: output += "\\x" + hex(byte)
            case 0x20..<0x7F: output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                if let (scalar, length) = Normalizer.decodeScalar(text, at: index), index + length <= to {
                    output.unicodeScalars.append(Unicode.Scalar(scalar) ?? "?")
                    index += length
                    continue
                }
                output += "\\x" + hex(byte)
            }
            index += 1
        }
        flushDigits()
        return output
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits: [Character] = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}
