import Testing

@testable import ScuteEmbed

@Suite("Dockerfile embed zip")
struct DockerfileZipTests {
    @Test func crc32KnownValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test func storedEntriesCanBeReadBack() throws {
        var zip = ZipArchive()
        let dockerfile = Array("FROM alpine\nENTRYPOINT [\"/scute/defender\"]\n".utf8)
        let bundle: [UInt8] = [0x1F, 0x8B, 8, 0, 1, 2, 3]
        zip.add(name: "Dockerfile", data: dockerfile)
        zip.add(name: "scute-defender.tar.gz", data: bundle)
        let bytes = zip.finish()
        let entries = try readStoredZip(bytes)
        #expect(entries.map(\.name) == ["Dockerfile", "scute-defender.tar.gz"])
        #expect(entries[0].data == dockerfile)
        #expect(entries[1].data == bundle)
        // Deterministic: the same entries give the same bytes.
        var again = ZipArchive()
        again.add(name: "Dockerfile", data: dockerfile)
        again.add(name: "scute-defender.tar.gz", data: bundle)
        #expect(again.finish() == bytes)
    }

    @Test func emptyArchiveIsJustTheEndRecord() {
        let bytes = ZipArchive().finish()
        #expect(bytes.count == 22)
        #expect(Array(bytes[0..<4]) == [0x50, 0x4B, 0x05, 0x06])
    }
}

/// Reads a store-method zip through its central directory, checking sizes and CRCs, as an unzip would.
private func readStoredZip(_ bytes: [UInt8]) throws -> [(name: String, data: [UInt8])] {
    func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
    func u32(_ o: Int) -> Int { u16(o) | u16(o + 2) << 16 }
    let end = bytes.count - 22
    try #require(u32(end) == 0x0605_4B50)
    let count = u16(end + 10)
    var offset = u32(end + 16)
    var out: [(String, [UInt8])] = []
    for _ in 0..<count {
        try #require(u32(offset) == 0x0201_4B50)
        #expect(u16(offset + 10) == 0)  // stored
        let crc = UInt32(u32(offset + 16))
        let size = u32(offset + 24)
        let nameLength = u16(offset + 28)
        let local = u32(offset + 42)
        let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
        try #require(u32(local) == 0x0403_4B50)
        let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
        let data = Array(bytes[dataStart..<(dataStart + size)])
        #expect(CRC32.checksum(data) == crc)
        out.append((name, data))
        offset += 46 + nameLength + u16(offset + 30) + u16(offset + 32)
    }
    return out
}
