/// Chunked transfer coding: de-chunks a body and says whether its framing was well formed.
enum ChunkedDecoder {
    /// The de-chunked body and whether every chunk was well formed (sizes in hex, CRLF after each chunk).
    static func decode(_ body: [UInt8], truncated: Bool) -> (body: [UInt8], valid: Bool) {
        var output: [UInt8] = []
        var index = 0
        while index < body.count {
            var sizeEnd = index
            while sizeEnd < body.count && body[sizeEnd] != 0x0D && body[sizeEnd] != 0x0A && body[sizeEnd] != UInt8(ascii: ";") { sizeEnd += 1 }
            let digits = body[index..<sizeEnd]
            guard !digits.isEmpty, digits.count <= 8, digits.allSatisfy(ByteClass.isHex) else { return (output, false) }
            let size = digits.reduce(0) { $0 * 16 + Int(ByteClass.hexValue($1)!) }
            var lineEnd = sizeEnd
            while lineEnd < body.count && body[lineEnd] != 0x0A { lineEnd += 1 }
            guard lineEnd < body.count, lineEnd > 0, body[lineEnd - 1] == 0x0D else { return (output, truncated && lineEnd >= body.count) }
            let dataStart = lineEnd + 1
            if size == 0 { return (output, true) }
            guard dataStart + size <= body.count else { return (output + body[dataStart...], truncated) }
            output.append(contentsOf: body[dataStart..<dataStart + size])
            let after = dataStart + size
            guard after + 1 < body.count, body[after] == 0x0D, body[after + 1] == 0x0A else { return (output, truncated && after + 1 >= body.count) }
            index = after + 2
        }
        return (output, truncated)
    }
}
