/// Backslash escapes as JavaScript, JSON and C-like languages read them: `\uXXXX`, `\u{X}`, `\xHH`.
enum EscapeDecoder {
    /// Decodes escapes in `input`; returns nil when there was nothing to decode.
    static func decode(_ input: [UInt8]) -> [UInt8]? {
        guard input.contains(UInt8(ascii: "\\")) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var changed = false
        var index = 0
        let slice = input[...]
        while index < input.count {
            let byte = input[index]
            guard byte == UInt8(ascii: "\\"), index + 1 < input.count else {
                output.append(byte)
                index += 1
                continue
            }
            let kind = input[index + 1] | 0x20
            if kind == UInt8(ascii: "u"), let scalar = PercentDecoder.hex4(slice, at: index + 2) {
                PercentDecoder.appendUTF8(scalar, to: &output)
                index += 6
                changed = true
            } else if kind == UInt8(ascii: "u"), index + 2 < input.count, input[index + 2] == UInt8(ascii: "{"),
                let (scalar, next) = braced(input, at: index + 3)
            {
                PercentDecoder.appendUTF8(scalar, to: &output)
                index = next
                changed = true
            } else if kind == UInt8(ascii: "x"), index + 3 < input.count,
                let high = ByteClass.hexValue(input[index + 2]), let low = ByteClass.hexValue(input[index + 3])
            {
                output.append(high << 4 | low)
                index += 4
                changed = true
            } else {
                output.append(byte)
                index += 1
            }
        }
        return changed ? output : nil
    }

    private static func braced(_ input: [UInt8], at start: Int) -> (UInt32, Int)? {
        var value: UInt32 = 0
        var index = start
        while index < input.count, index - start < 6, let digit = ByteClass.hexValue(input[index]) {
            value = value << 4 | UInt32(digit)
            index += 1
        }
        guard index > start, index < input.count, input[index] == UInt8(ascii: "}") else { return nil }
        return (value, index + 1)
    }
}
