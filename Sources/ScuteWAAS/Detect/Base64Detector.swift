/// Base64 tokens are decoded at every alignment (an attacker's token may start mid-group) and the result
/// searched for serialized Java objects, Java gadget classes and Node.js/JavaScript payloads.
enum Base64Detector {
    private static let javaTag = 0
    private static let codeTag = 1

    static let matcher = KeywordMatcher([
        KeywordMatcher.Pattern("runtime", tag: javaTag), KeywordMatcher.Pattern("processbuilder", tag: javaTag),
        KeywordMatcher.Pattern("clonetransformer", tag: javaTag), KeywordMatcher.Pattern("forclosure", tag: javaTag),
        KeywordMatcher.Pattern("instantiatefactory", tag: javaTag), KeywordMatcher.Pattern("instantiatetransformer", tag: javaTag),
        KeywordMatcher.Pattern("invokertransformer", tag: javaTag), KeywordMatcher.Pattern("prototypeclonefactory", tag: javaTag),
        KeywordMatcher.Pattern("prototypeserializationfactory", tag: javaTag), KeywordMatcher.Pattern("whileclosure", tag: javaTag),
        KeywordMatcher.Pattern("chainedtransformer", tag: javaTag), KeywordMatcher.Pattern("templatesimpl", tag: javaTag),
        KeywordMatcher.Pattern("java.lang", tag: javaTag), KeywordMatcher.Pattern("ysoserial", tag: javaTag),
        KeywordMatcher.Pattern("_$$nd_func$$_", tag: codeTag), KeywordMatcher.Pattern("child_process", tag: codeTag),
        KeywordMatcher.Pattern("require(", tag: codeTag), KeywordMatcher.Pattern("while(true)", tag: codeTag),
        KeywordMatcher.Pattern("while(1)", tag: codeTag), KeywordMatcher.Pattern("eval(", tag: codeTag),
        KeywordMatcher.Pattern("<script", tag: codeTag), KeywordMatcher.Pattern("/bin/sh", tag: codeTag),
        KeywordMatcher.Pattern("/bin/bash", tag: codeTag), KeywordMatcher.Pattern("cmd.exe", tag: codeTag),
        KeywordMatcher.Pattern("<?php", tag: codeTag), KeywordMatcher.Pattern("${jndi:", tag: codeTag),
        KeywordMatcher.Pattern("system(", tag: codeTag), KeywordMatcher.Pattern("exec(", tag: codeTag),
    ])

    static func detect(_ text: [UInt8], raw: [UInt8]) -> DetectorHit? {
        // Raw serialized Java object: 0xACED 0x0005.
        if let magic = raw.firstIndex(ofBytes: [0xAC, 0xED, 0x00, 0x05]) { return DetectorHit(.javaSerialized, magic, magic + 4, text: raw) }
        var index = 0
        var budget = 8
        while index < text.count && budget > 0 {
            guard isBase64(text[index]) else {
                index += 1
                continue
            }
            var end = index
            while end < text.count && isBase64(text[end]) { end += 1 }
            let runEnd = end
            while end < text.count && text[end] == UInt8(ascii: "=") { end += 1 }
            if runEnd - index >= 6, mixed(text[index..<runEnd]) {
                budget -= 1
                if let hit = inspect(text[index..<runEnd]) { return DetectorHit(hit, index, end) }
            }
            index = end
        }
        return nil
    }

    private static func inspect(_ token: ArraySlice<UInt8>) -> WAASRule? {
        // Serialized Java magic in any alignment: rO0AB, KztAAU, Cs7QAF...
        // The token may start at any of the four positions of a group: pad it back into alignment.
        for pad in 0..<4 {
            let aligned = [UInt8](repeating: UInt8(ascii: "A"), count: pad) + token
            guard var decoded = decode(aligned[...]) else { continue }
            if decoded.count >= 2, decoded.firstIndex(ofBytes: [0xAC, 0xED]) != nil { return .javaSerialized }
            if let unescaped = EscapeDecoder.decode(decoded) { decoded = unescaped }
            decoded = decoded.asciiLowercased()
            var found: WAASRule?
            matcher.forEachMatch(in: decoded) { tag, _, _ in
                found = tag == javaTag ? .javaSerialized : .codeBase64
                return false
            }
            if let found { return found }
        }
        return nil
    }

    /// Real base64 of text mixes cases or digits; plain words (which also match the alphabet) do not.
    private static func mixed(_ token: ArraySlice<UInt8>) -> Bool {
        var upper = false
        var lower = false
        var digit = false
        for byte in token {
            if byte &- 65 < 26 { upper = true } else if byte &- 97 < 26 { lower = true } else if ByteClass.isDigit(byte) { digit = true }
        }
        if !upper && token.allSatisfy({ ByteClass.isDigit($0) || ($0 &- 97 < 6) }) { return false }  // hex digests and IDs
        return lower && (upper || digit) && !(token.first.map { $0 &- 65 < 26 } == true && !digit && token.dropFirst().allSatisfy { $0 &- 97 < 26 })
    }

    @inline(__always) private static func isBase64(_ byte: UInt8) -> Bool {
        ByteClass.isWord(byte) && byte != UInt8(ascii: "_") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: "_")
    }

    private static func value(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 65...90: return byte - 65
        case 97...122: return byte - 71
        case 48...57: return byte + 4
        case UInt8(ascii: "+"), UInt8(ascii: "-"): return 62
        case UInt8(ascii: "/"), UInt8(ascii: "_"): return 63
        default: return nil
        }
    }

    /// Decodes whole groups of four and a trailing partial group (no padding needed).
    static func decode(_ token: ArraySlice<UInt8>) -> [UInt8]? {
        var output: [UInt8] = []
        output.reserveCapacity(token.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in token {
            guard let sextet = value(byte) else { return nil }
            accumulator = accumulator << 6 | UInt32(sextet)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
            }
        }
        return output
    }
}
