import CScuteZlib

/// Just enough ZIP to read Java archives: the central directory, stored and deflated entries.
struct ZipArchive {
    struct Entry {
        let name: String
        let method: Int
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    let bytes: [UInt8]
    let entries: [Entry]

    init?(_ bytes: [UInt8]) {
        self.bytes = bytes
        // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
        guard bytes.count >= 22 else { return nil }
        var eocd = -1
        var index = bytes.count - 22
        while index >= max(0, bytes.count - 65_557) {
            if bytes[index] == 0x50 && bytes[index + 1] == 0x4b && bytes[index + 2] == 5 && bytes[index + 3] == 6 {
                eocd = index
                break
            }
            index -= 1
        }
        guard eocd >= 0 else { return nil }
        let count = Self.le16(bytes, eocd + 10)
        var position = Self.le32(bytes, eocd + 16)
        var entries: [Entry] = []
        for _ in 0..<count {
            guard position + 46 <= bytes.count, Self.le32(bytes, position) == 0x0201_4b50 else { break }
            let nameLength = Self.le16(bytes, position + 28)
            let extraLength = Self.le16(bytes, position + 30)
            let commentLength = Self.le16(bytes, position + 32)
            guard position + 46 + nameLength <= bytes.count else { break }
            entries.append(
                Entry(
                    name: String(decoding: bytes[(position + 46)..<(position + 46 + nameLength)], as: UTF8.self),
                    method: Self.le16(bytes, position + 10),
                    compressedSize: Self.le32(bytes, position + 20),
                    size: Self.le32(bytes, position + 24),
                    localHeaderOffset: Self.le32(bytes, position + 42)
                )
            )
            position += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
    }

    /// The entry's uncompressed bytes, or nil when it is damaged, larger than `limit` or compressed otherwise.
    func contents(of entry: Entry, limit: Int = 64 << 20) -> [UInt8]? {
        let header = entry.localHeaderOffset
        guard entry.size <= limit, header + 30 <= bytes.count, Self.le32(bytes, header) == 0x0403_4b50 else { return nil }
        let start = header + 30 + Self.le16(bytes, header + 26) + Self.le16(bytes, header + 28)
        guard start + entry.compressedSize <= bytes.count else { return nil }
        let data = bytes[start..<(start + entry.compressedSize)]
        switch entry.method {
        case 0: return Array(data)
        case 8: return Self.inflate(data, expectedSize: entry.size)
        default: return nil
        }
    }

    /// Raw DEFLATE through the system zlib.
    private static func inflate(_ data: ArraySlice<UInt8>, expectedSize: Int) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: max(expectedSize, 1))
        var input = Array(data)
        let status = input.withUnsafeMutableBufferPointer { inputPointer in
            output.withUnsafeMutableBufferPointer { outputPointer in
                stream.next_in = inputPointer.baseAddress
                stream.avail_in = UInt32(inputPointer.count)
                stream.next_out = outputPointer.baseAddress
                stream.avail_out = UInt32(outputPointer.count)
                return CScuteZlib.inflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END || (status == Z_OK && stream.total_out == expectedSize) else { return nil }
        return Array(output[0..<Int(stream.total_out)])
    }

    private static func le16(_ bytes: [UInt8], _ offset: Int) -> Int {
        guard offset + 2 <= bytes.count else { return 0 }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8
    }

    private static func le32(_ bytes: [UInt8], _ offset: Int) -> Int {
        guard offset + 4 <= bytes.count else { return 0 }
        return Int(bytes[offset]) | Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2]) << 16 | Int(bytes[offset + 3]) << 24
    }
}
