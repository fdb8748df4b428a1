/// An input value after normalisation, ready for the detectors.
struct NormalizedValue: Sendable {
    /// Fully decoded text, case preserved.
    var text: [UInt8]
    /// `text`, ASCII-lowercased.
    var lower: [UInt8]
    /// What decoding noticed.
    var flags: DecodeFlags
    /// True when every byte is a letter, digit, space or one of `-_.,@`: most detectors skip such values.
    var isPlain: Bool
    /// The bytes present in `lower`.
    var bytes: ByteSet

    init(text: [UInt8], lower: [UInt8], flags: DecodeFlags, isPlain: Bool) {
        self.text = text
        self.lower = lower
        self.flags = flags
        self.isPlain = isPlain
        self.bytes = ByteSet(lower)
    }

    @inline(__always) func has(_ set: StaticString) -> Bool { bytes.containsAny(set) }
}

/// Repeated decoding until a fixed point: percent escapes, `%u`, HTML entities, JS escapes, overlong UTF-8,
/// full-width and enclosed forms. Work is bounded by `maxRounds` and `maxLength`.
enum Normalizer {
    static func normalize(_ raw: ArraySlice<UInt8>, maxRounds: Int, maxLength: Int) -> NormalizedValue {
        var flags: DecodeFlags = []
        var current: [UInt8]
        if raw.count > maxLength {
            current = Array(raw.prefix(maxLength))
            flags.insert(.truncated)
        } else {
            current = Array(raw)
        }
        var plain = true
        for byte in current where !ByteClass.isPlain(byte) {
            plain = false
            break
        }
        if plain {
            return NormalizedValue(text: current, lower: current.asciiLowercased(), flags: flags, isPlain: true)
        }
        var percentRounds = 0
        for round in 0..<max(maxRounds, 1) {
            var changed = false
            if PercentDecoder.needsDecoding(current[...], plusAsSpace: false) {
                if percentRounds > 0 && encodesUnreserved(current) { flags.insert(.encodedUnreserved) }
                var roundFlags: DecodeFlags = []
                let decoded = PercentDecoder.decode(current[...], plusAsSpace: false, flags: &roundFlags)
                if decoded != current {
                    flags.formUnion(roundFlags.intersection(.percentU))
                    percentRounds += 1
                    if percentRounds > 1 { flags.insert(.multipleEncoding) }
                    current = decoded
                    changed = true
                }
            }
            if let decoded = EntityDecoder.decode(current) {
                current = decoded
                flags.insert(.obfuscated)
                changed = true
            }
            if let decoded = EscapeDecoder.decode(current) {
                current = decoded
                flags.insert(.obfuscated)
                changed = true
            }
            if !changed { break }
            if round == maxRounds - 1 { flags.insert(.truncated) }
        }
        current = fold(current, flags: &flags)
        return NormalizedValue(text: current, lower: current.asciiLowercased(), flags: flags, isPlain: false)
    }

    /// True when `bytes` still hold `%XX` escapes of letters or digits (double encoding of unreserved bytes).
    static func encodesUnreserved(_ bytes: [UInt8]) -> Bool {
        var index = 0
        while index + 2 < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), let high = ByteClass.hexValue(bytes[index + 1]),
                let low = ByteClass.hexValue(bytes[index + 2])
            {
                let decoded = high << 4 | low
                if ByteClass.isLetter(decoded) || ByteClass.isDigit(decoded) { return true }
            }
            index += 1
        }
        return false
    }

    /// UTF-8 clean-up: overlong forms to ASCII, full-width and enclosed forms to ASCII, NUL removed.
    static func fold(_ input: [UInt8], flags: inout DecodeFlags) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var index = 0
        while index < input.count {
            let byte = input[index]
            if byte < 0x80 {
                if byte == 0 {
                    flags.insert(.nul)
                } else {
                    if byte == 10 || byte == 13 { flags.insert(.lineBreak) }
                    output.append(byte)
                }
                index += 1
                continue
            }
            // Overlong two-byte form of an ASCII byte.
            if byte == 0xC0 || byte == 0xC1, index + 1 < input.count, input[index + 1] & 0xC0 == 0x80 {
                flags.insert(.overlongUTF8)
                let scalar = (byte & 0x1F) << 6 | input[index + 1] & 0x3F
                if scalar != 0 { output.append(scalar) }
                index += 2
                continue
            }
            // Overlong three-byte form.
            if byte == 0xE0, index + 2 < input.count, input[index + 1] & 0xE0 == 0x80, input[index + 2] & 0xC0 == 0x80 {
                flags.insert(.overlongUTF8)
                let scalar = UInt32(input[index + 1] & 0x3F) << 6 | UInt32(input[index + 2] & 0x3F)
                if scalar != 0 { PercentDecoder.appendUTF8(scalar, to: &output) }
                index += 3
                continue
            }
            guard let (scalar, length) = decodeScalar(input, at: index) else {
                flags.insert(.invalidUTF8)
                output.append(byte)
                index += 1
                continue
            }
            if let ascii = asciiEquivalent(scalar) {
                flags.insert(.obfuscated)
                output.append(ascii)
            } else {
                output.append(contentsOf: input[index..<index + length])
            }
            index += length
        }
        return output
    }

    static func decodeScalar(_ input: [UInt8], at index: Int) -> (UInt32, Int)? {
        let byte = input[index]
        let length: Int
        var scalar: UInt32
        switch byte {
        case 0xC2...0xDF:
            length = 2
            scalar = UInt32(byte & 0x1F)
        case 0xE0...0xEF:
            length = 3
            scalar = UInt32(byte & 0x0F)
        case 0xF0...0xF4:
            length = 4
            scalar = UInt32(byte & 0x07)
        default:
            return nil
        }
        guard index + length <= input.count else { return nil }
        for offset in 1..<length {
            let next = input[index + offset]
            guard next & 0xC0 == 0x80 else { return nil }
            scalar = scalar << 6 | UInt32(next & 0x3F)
        }
        if length == 3 && scalar < 0x800 { return nil }
        if length == 4 && (scalar < 0x10000 || scalar > 0x10FFFF) { return nil }
        if scalar >= 0xD800 && scalar <= 0xDFFF { return nil }
        return (scalar, length)
    }

    /// ASCII look-alikes attackers use to slip past byte matching.
    static func asciiEquivalent(_ scalar: UInt32) -> UInt8? {
        switch scalar {
        case 0xFF01...0xFF5E: return UInt8(scalar - 0xFEE0)
        case 0x3002, 0xFF61: return UInt8(ascii: ".")
        case 0x2018, 0x2019, 0x02BC: return UInt8(ascii: "'")
        case 0x2460...0x2468: return UInt8(scalar - 0x2460) + UInt8(ascii: "1")
        case 0x24EA: return UInt8(ascii: "0")
        case 0x24B6...0x24CF: return UInt8(scalar - 0x24B6) + UInt8(ascii: "a")
        case 0x24D0...0x24E9: return UInt8(scalar - 0x24D0) + UInt8(ascii: "a")
        default: return nil
        }
    }
}
