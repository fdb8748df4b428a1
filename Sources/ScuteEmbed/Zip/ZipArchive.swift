/// A zip archive built in memory with the store method (no compression): enough for a Dockerfile and an
/// already-gzipped bundle, readable by every unzip. Entries carry a fixed timestamp (1980-01-01) so the
/// same inputs give the same bytes.
public struct ZipArchive: Sendable {
    private struct Entry {
        var name: [UInt8]
        var crc: UInt32
        var size: UInt32
        var offset: UInt32
        var mode: UInt32
    }

    private var entries: [Entry] = []
    /// The archive bytes so far (local headers and data); `finish()` appends the central directory.
    private var body: [UInt8] = []

    public init() {}

    /// Adds a file. `mode` is its Unix permission bits.
    public mutating func add(name: String, data: [UInt8], mode: UInt32 = 0o644) {
        precondition(data.count < Int(UInt32.max) && body.count < Int(UInt32.max), "zip64 is not supported")
        let nameBytes = Array(name.utf8)
        let entry = Entry(name: nameBytes, crc: CRC32.checksum(data), size: UInt32(data.count), offset: UInt32(body.count), mode: mode)
        body.append(le32: 0x0403_4b50)
        body.append(le16: 20)  // version needed: 2.0
        body.append(le16: 0x0800)  // UTF-8 names
        body.append(le16: 0)  // stored
        body.append(le16: 0)  // time 00:00
        body.append(le16: 0x21)  // date 1980-01-01
        body.append(le32: entry.crc)
        body.append(le32: entry.size)
        body.append(le32: entry.size)
        body.append(le16: UInt16(nameBytes.count))
        body.append(le16: 0)
        body += nameBytes
        body += data
        entries.append(entry)
    }

    /// The complete archive.
    public func finish() -> [UInt8] {
        var out = body
        let directoryStart = UInt32(out.count)
        for e in entries {
            out.append(le32: 0x0201_4b50)
            out.append(le16: 0x0314)  // made by Unix, spec 2.0
            out.append(le16: 20)
            out.append(le16: 0x0800)
            out.append(le16: 0)
            out.append(le16: 0)
            out.append(le16: 0x21)
            out.append(le32: e.crc)
            out.append(le32: e.size)
            out.append(le32: e.size)
            out.append(le16: UInt16(e.name.count))
            out.append(le16: 0)  // extra
            out.append(le16: 0)  // comment
            out.append(le16: 0)  // disk
            out.append(le16: 0)  // internal attributes
            out.append(le32: (0o100000 | e.mode) << 16)  // regular file with its mode
            out.append(le32: e.offset)
            out += e.name
        }
        let directorySize = UInt32(out.count) - directoryStart
        out.append(le32: 0x0605_4b50)
        out.append(le16: 0)
        out.append(le16: 0)
        out.append(le16: UInt16(entries.count))
        out.append(le16: UInt16(entries.count))
        out.append(le32: directorySize)
        out.append(le32: directoryStart)
        out.append(le16: 0)
        return out
    }
}

/// CRC-32 (IEEE 802.3), as zip and gzip use it.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The checksum of some bytes.
    public static func checksum(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = table[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

extension [UInt8] {
    fileprivate mutating func append(le16 v: UInt16) {
        append(UInt8(v & 0xFF))
        append(UInt8(v >> 8))
    }

    fileprivate mutating func append(le32 v: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((v >> UInt32(shift)) & 0xFF)) }
    }
}
