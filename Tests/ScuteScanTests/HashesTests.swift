import Foundation
import Testing

@testable import ScuteScan

@Suite struct HashesTests {
    static let vectors: [(DigestAlgorithm, String, String)] = [
        (.md5, "", "d41d8cd98f00b204e9800998ecf8427e"),
        (.md5, "abc", "900150983cd24fb0d6963f7d28e17f72"),
        (.md5, "message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        (.md5, "12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
        (.sha1, "", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
        (.sha1, "abc", "a9993e364706816aba3e25717850c26c9cd0d89d"),
        (.sha1, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"),
        (.sha256, "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (.sha256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (.sha256, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ]

    @Test(arguments: 0..<vectors.count)
    func knownVectors(index: Int) {
        let (algorithm, input, expected) = Self.vectors[index]
        #expect(hexString(FileDigest.digest(algorithm, of: Array(input.utf8))) == expected)
    }

    @Test(arguments: [DigestAlgorithm.md5, .sha1, .sha256])
    func millionAs(algorithm: DigestAlgorithm) {
        let expected: [DigestAlgorithm: String] = [
            .md5: "7707d6ae4e027c70eea2a935c2296f21", .sha1: "34aa973cd4c4daa4f61eeb2bdbad27316534016f",
            .sha256: "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
        ]
        #expect(hexString(FileDigest.digest(algorithm, of: [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))) == expected[algorithm])
    }

    @Test(arguments: [DigestAlgorithm.md5, .sha1, .sha256])
    func matchesCoreutilsInOddPieces(algorithm: DigestAlgorithm) throws {
        let root = TestRoot()
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<300_017).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let file = root.write("random.bin", bytes)
        let tool = ["md5": "/usr/bin/md5sum", "sha1": "/usr/bin/sha1sum", "sha256": "/usr/bin/sha256sum"][algorithm.rawValue]!
        let expected = try run(tool, [file]).split(separator: " ").first.map(String.init)
        var digest = FileDigest(algorithm)
        var offset = 0
        for size in [0, 1, 63, 64, 65, 127, 1000, 4096, 100_000].cycled(until: bytes.count) {
            let end = min(bytes.count, offset + size)
            bytes[offset..<end].withUnsafeBytes { digest.update($0) }
            offset = end
            if offset == bytes.count { break }
        }
        #expect(hexString(digest.finish()) == expected)
    }
}

extension Array where Element == Int {
    /// Repeats the sizes until they add up to at least `total`.
    fileprivate func cycled(until total: Int) -> [Int] {
        var out: [Int] = []
        var sum = 0
        while sum < total {
            for size in self {
                out.append(size)
                sum += size
            }
        }
        return out
    }
}
