/// HTML character references (`&#60;`, `&#x3c;`, `&lt;`), decoded leniently: the `;` is optional.
enum EntityDecoder {
    private static let named: [(name: [UInt8], value: [UInt8])] = {
        let table: [(String, String)] = [
            ("newline", "\n"), ("lbrace", "{"), ("rbrace", "}"), ("lbrack", "["), ("rbrack", "]"),
            ("percnt", "%"), ("dollar", "$"), ("equals", "="), ("period", "."), ("commat", "@"),
            ("lowbar", "_"), ("verbar", "|"), ("colon", ":"), ("comma", ","), ("quest", "?"), ("grave", "`"),
            ("quot", "\""), ("apos", "'"), ("nbsp", " "), ("excl", "!"), ("semi", ";"), ("lpar", "("),
            ("rpar", ")"), ("lcub", "{"), ("rcub", "}"), ("lsqb", "["), ("rsqb", "]"), ("bsol", "\\"),
            ("plus", "+"), ("vert", "|"), ("tab", "\t"), ("amp", "&"), ("sol", "/"), ("num", "#"),
            ("ast", "*"), ("hat", "^"), ("lt", "<"), ("gt", ">"),
        ]
        return table.map { (Array($0.0.utf8), Array($0.1.utf8)) }
    }()

    /// Decodes references in `input`; returns nil when there was nothing to decode.
    static func decode(_ input: [UInt8]) -> [UInt8]? {
        guard input.contains(UInt8(ascii: "&")) else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var changed = false
        var index = 0
        while index < input.count {
            let byte = input[index]
            guard byte == UInt8(ascii: "&"), index + 1 < input.count else {
                output.append(byte)
                index += 1
                continue
            }
            if let (scalar, next) = numeric(input, at: index + 1) {
                if scalar != 0 { PercentDecoder.appendUTF8(scalar, to: &output) }
                index = next
                changed = true
                continue
            }
            if let (value, next) = namedReference(input, at: index + 1) {
                output.append(contentsOf: value)
                index = next
                changed = true
                continue
            }
            output.append(byte)
            index += 1
        }
        return changed ? output : nil
    }

    private static func numeric(_ input: [UInt8], at start: Int) -> (UInt32, Int)? {
        guard start < input.count, input[start] == UInt8(ascii: "#") else { return nil }
        var index = start + 1
        var hex = false
        if index < input.count, input[index] | 0x20 == UInt8(ascii: "x") {
            hex = true
            index += 1
        }
        var value: UInt32 = 0
        var digits = 0
        while index < input.count, digits < 8 {
            let byte = input[index]
            if hex, let digit = ByteClass.hexValue(byte) {
                value = value &* 16 &+ UInt32(digit)
            } else if !hex, ByteClass.isDigit(byte) {
                value = value &* 10 &+ UInt32(byte - 48)
            } else {
                break
            }
            digits += 1
            index += 1
        }
        guard digits > 0 else { return nil }
        while index < input.count, ByteClass.isDigit(input[index]) || (hex && ByteClass.isHex(input[index])) { index += 1 }
        if index < input.count, input[index] == UInt8(ascii: ";") { index += 1 }
        return (value > 0x10FFFF ? 0xFFFD : value, index)
    }

    private static func namedReference(_ input: [UInt8], at start: Int) -> ([UInt8], Int)? {
        for entry in named where start + entry.name.count <= input.count {
            var matches = true
            for offset in 0..<entry.name.count where ByteClass.lower(input[start + offset]) != entry.name[offset] {
                matches = false
                break
            }
            guard matches else { continue }
            var next = start + entry.name.count
            if next < input.count, input[next] == UInt8(ascii: ";") {
                next += 1
            } else if entry.name.count > 2 || (next < input.count && ByteClass.isLetter(input[next])) {
                // Without `;`, only short legacy names (`&lt`, `&gt`) and whole names not glued to letters count.
                if next < input.count, ByteClass.isLetter(input[next]), entry.name.count <= 3 { continue }
            }
            return (entry.value, next)
        }
        return nil
    }
}
