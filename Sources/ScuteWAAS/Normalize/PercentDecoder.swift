/// URL percent-decoding: `%XX`, `%uXXXX`, optionally `+` as space; invalid escapes are kept verbatim.
enum PercentDecoder {
    /// One decoding pass over `input`; reports invalid escapes and `%u` use in `flags`.
    static func decode(_ input: ArraySlice<UInt8>, plusAsSpace: Bool, flags: inout DecodeFlags) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = input.startIndex
        let end = input.endIndex
        while index < end {
            let byte = input[index]
            if byte == UInt8(ascii: "%") {
                if index + 2 < end, let high = ByteClass.hexValue(input[index + 1]), let low = ByteClass.hexValue(input[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                if index + 1 < end, input[index + 1] | 0x20 == UInt8(ascii: "u"),
                    let scalar = hex4(input, at: index + 2)
                {
                    flags.insert(.percentU)
                    appendUTF8(scalar, to: &output)
                    index += 6
                    continue
                }
                flags.insert(.invalidEscape)
                output.append(byte)
                index += 1
            } else if byte == UInt8(ascii: "+") && plusAsSpace {
                output.append(UInt8(ascii: " "))
                index += 1
            } else {
                output.append(byte)
                index += 1
            }
        }
        return output
    }

    /// True when the bytes contain something `decode` would change.
    static func needsDecoding(_ input: ArraySlice<UInt8>, plusAsSpace: Bool) -> Bool {
        for byte in input where byte == UInt8(ascii: "%") || (plusAsSpace && byte == UInt8(ascii: "+")) { return true }
        return false
    }

    static func hex4(_ input: ArraySlice<UInt8>, at index: Int) -> UInt32? {
        guard index + 4 <= input.endIndex else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = ByteClass.hexValue(input[index + offset]) else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    static func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x10000..<0x110000:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(contentsOf: [0xEF, 0xBF, 0xBD])
        }
    }
}
