/// Check 425: recognises whole private keys. A `BEGIN ... PRIVATE KEY` line is only the start: the block must
/// have a body and the matching `END` line. Public keys and certificates never match.
enum PrivateKeyFormats {
    /// A file whose first bytes make it a private key file as a whole: PuTTY keys and PKCS#12 stores.
    static func fileFormat(head: UnsafeRawBufferPointer) -> String? {
        if startsWith(head, "PuTTY-User-Key-File-") {
            let text = String(decoding: head.prefix(64 << 10), as: UTF8.self)
            return text.contains("\nPrivate-Lines:") && (text.contains("\nPrivate-MAC:") || text.contains("\nPrivate-Hash:")) ? "PuTTY" : nil
        }
        return isPKCS12(head) ? "PKCS#12" : nil
    }

    /// The label of a complete PEM / OpenSSH / PGP private key block around the `PRIVATE KEY` at `marker` in
    /// `window`, e.g. `RSA PRIVATE KEY`; nil when it is a lone header, an `END` line or not a block at all.
    static func privateKeyBlock(in window: [UInt8], marker: Int) -> String? {
        let begin = Array("-----BEGIN ".utf8)
        // The BEGIN line holds the marker: find its start on the same line.
        var lineStart = marker
        while lineStart > 0 && window[lineStart - 1] != 0x0a && marker - lineStart < 48 { lineStart -= 1 }
        guard let beginAt = find(begin, in: window, from: lineStart, to: marker) else { return nil }
        let labelStart = beginAt + begin.count
        guard let labelEnd = find(Array("-----".utf8), in: window, from: marker, to: min(window.count, marker + 32)) else { return nil }
        let label = Array(window[labelStart..<labelEnd])
        let labelText = String(decoding: label, as: UTF8.self)
        guard labelText.hasSuffix("PRIVATE KEY") || labelText.hasSuffix("PRIVATE KEY BLOCK"),
            label.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5a) || $0 == 0x20 || ($0 >= 0x30 && $0 <= 0x39) })
        else { return nil }
        let end = Array("-----END ".utf8) + label + Array("-----".utf8)
        let bodyStart = labelEnd + 5
        guard let endAt = find(end, in: window, from: bodyStart, to: window.count) else { return nil }
        return isKeyBody(window[bodyStart..<endAt], pgp: labelText.hasPrefix("PGP")) ? labelText : nil
    }

    /// Base64 lines (optionally after RFC 1421 / OpenPGP armor headers), long enough to hold a key.
    private static func isKeyBody(_ body: ArraySlice<UInt8>, pgp: Bool) -> Bool {
        var base64Count = 0
        // The first piece is the rest of the BEGIN line.
        let lines = body.split(separator: 0x0a, omittingEmptySubsequences: false).dropFirst()
        var inHeaders = true
        for rawLine in lines {
            var line = rawLine
            while let last = line.last, last == 0x0d || last == 0x20 || last == 0x09 { line = line.dropLast() }
            if line.isEmpty {
                inHeaders = false
                continue
            }
            if inHeaders, line.contains(UInt8(ascii: ":")) { continue }
            if pgp && line.first == UInt8(ascii: "=") && line.count <= 5 { continue }
            for byte in line {
                let isBase64 =
                    (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || (byte >= 0x30 && byte <= 0x39)
                    || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "=")
                guard isBase64 else { return false }
            }
            inHeaders = false
            base64Count += line.count
        }
        // The smallest real key (Ed25519 in PKCS#8, 48 bytes) is 64 base64 characters.
        return base64Count >= 60
    }

    /// A DER PKCS#12 store: SEQUENCE { INTEGER 3, SEQUENCE { OID pkcs7-data or signedData, ... }, ... }.
    static func isPKCS12(_ head: UnsafeRawBufferPointer) -> Bool {
        var position = 0
        guard let outer = derHeader(head, &position), outer.tag == 0x30 else { return false }
        guard let version = derHeader(head, &position), version.tag == 0x02, version.length == 1, position < head.count,
            head[position] == 3
        else { return false }
        position += 1
        guard let content = derHeader(head, &position), content.tag == 0x30 else { return false }
        let pkcs7: [UInt8] = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07]
        guard position + pkcs7.count + 1 <= head.count else { return false }
        for (index, byte) in pkcs7.enumerated() where head[position + index] != byte { return false }
        let kind = head[position + pkcs7.count]
        return kind == 1 || kind == 2
    }

    private static func derHeader(_ bytes: UnsafeRawBufferPointer, _ position: inout Int) -> (tag: UInt8, length: Int)? {
        guard position + 2 <= bytes.count else { return nil }
        let tag = bytes[position]
        var length = Int(bytes[position + 1])
        position += 2
        if length & 0x80 != 0 {
            let octets = length & 0x7f
            guard octets >= 1, octets <= 4, position + octets <= bytes.count else { return nil }
            length = 0
            for _ in 0..<octets {
                length = length << 8 | Int(bytes[position])
                position += 1
            }
        }
        return (tag, length)
    }

    private static func startsWith(_ bytes: UnsafeRawBufferPointer, _ prefix: String) -> Bool {
        let prefixBytes = Array(prefix.utf8)
        guard bytes.count >= prefixBytes.count else { return false }
        return prefixBytes.indices.allSatisfy { bytes[$0] == prefixBytes[$0] }
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int, to: Int) -> Int? {
        guard from >= 0, to <= bytes.count, to - from >= needle.count else { return nil }
        var index = from
        while index + needle.count <= to {
            if bytes[index] == needle[0] && bytes[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
