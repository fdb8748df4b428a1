// MD5 (dpkg md5sums, rpm's default), SHA-1 (apk's Q1 checksums) and SHA-256 (rpm's FILEDIGESTALGO 8).
// Written here rather than taken from swift-crypto because swift-crypto is not linked into the static
// defender executable, whose size matters; these three digests are all the package databases need.

/// A digest algorithm that a package database records for its files.
package enum DigestAlgorithm: String, Sendable, Codable, Hashable {
    case md5, sha1, sha256

    /// The digest's length in bytes.
    package var byteCount: Int {
        switch self {
        case .md5: return 16
        case .sha1: return 20
        case .sha256: return 32
        }
    }
}

/// A running digest over bytes fed in pieces of any size.
package struct FileDigest: Sendable {
    private var state: State
    private var block = [UInt8](repeating: 0, count: 64)
    private var blockCount = 0
    private var length: UInt64 = 0

    private enum State {
        case md5(MD5State)
        case sha1(SHA1State)
        case sha256(SHA256State)
    }

    /// A fresh digest of the given algorithm.
    package init(_ algorithm: DigestAlgorithm) {
        switch algorithm {
        case .md5: state = .md5(MD5State())
        case .sha1: state = .sha1(SHA1State())
        case .sha256: state = .sha256(SHA256State())
        }
    }

    /// The digest of `bytes` in one call.
    package static func digest(_ algorithm: DigestAlgorithm, of bytes: some Collection<UInt8>) -> [UInt8] {
        var digest = FileDigest(algorithm)
        let array = Array(bytes)
        array.withUnsafeBytes { digest.update($0) }
        return digest.finish()
    }

    /// Adds bytes to the digest.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress else { return }
        var count = bytes.count
        length &+= UInt64(count)
        if blockCount > 0 {
            let take = min(64 - blockCount, count)
            block.withUnsafeMutableBytes { $0.baseAddress!.advanced(by: blockCount).copyMemory(from: base, byteCount: take) }
            blockCount += take
            base += take
            count -= take
            if blockCount < 64 { return }
            block.withUnsafeBytes { compress($0.baseAddress!, blocks: 1) }
            blockCount = 0
        }
        let whole = count / 64
        if whole > 0 {
            compress(base, blocks: whole)
            base += whole * 64
            count -= whole * 64
        }
        if count > 0 {
            block.withUnsafeMutableBytes { $0.baseAddress!.copyMemory(from: base, byteCount: count) }
            blockCount = count
        }
    }

    /// Pads, finishes and returns the digest; the value must not be updated afterwards.
    package mutating func finish() -> [UInt8] {
        let bitLength = length &* 8
        var tail: [UInt8] = [0x80]
        let padding = (blockCount + 1) % 64 <= 56 ? 56 - (blockCount + 1) % 64 : 120 - (blockCount + 1) % 64
        tail += [UInt8](repeating: 0, count: padding)
        let bigEndianLength: Bool
        if case .md5 = state { bigEndianLength = false } else { bigEndianLength = true }
        for index in 0..<8 {
            let shift = bigEndianLength ? UInt64(56 - 8 * index) : UInt64(8 * index)
            tail.append(UInt8(truncatingIfNeeded: bitLength >> shift))
        }
        let savedLength = length
        tail.withUnsafeBytes { update($0) }
        length = savedLength
        switch state {
        case .md5(let md5): return [md5.a, md5.b, md5.c, md5.d].flatMap { littleEndianBytes($0) }
        case .sha1(let sha1): return sha1.h.flatMap { bigEndianBytes($0) }
        case .sha256(let sha256): return sha256.h.flatMap { bigEndianBytes($0) }
        }
    }

    private mutating func compress(_ pointer: UnsafeRawPointer, blocks: Int) {
        switch state {
        case .md5(var md5):
            for index in 0..<blocks { md5.compress(pointer + index * 64) }
            state = .md5(md5)
        case .sha1(var sha1):
            for index in 0..<blocks { sha1.compress(pointer + index * 64) }
            state = .sha1(sha1)
        case .sha256(var sha256):
            for index in 0..<blocks { sha256.compress(pointer + index * 64) }
            state = .sha256(sha256)
        }
    }
}

/// Lower-case hexadecimal of a digest, as package databases write it.
package func hexString(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    out.reserveCapacity(bytes.count * 2)
    for byte in bytes {
        out.append(digits[Int(byte >> 4)])
        out.append(digits[Int(byte & 15)])
    }
    return String(decoding: out, as: UTF8.self)
}

private func littleEndianBytes(_ word: UInt32) -> [UInt8] {
    [
        UInt8(truncatingIfNeeded: word), UInt8(truncatingIfNeeded: word >> 8), UInt8(truncatingIfNeeded: word >> 16),
        UInt8(truncatingIfNeeded: word >> 24),
    ]
}

private func bigEndianBytes(_ word: UInt32) -> [UInt8] {
    littleEndianBytes(word).reversed()
}

@inline(__always) private func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 {
    (value << count) | (value >> (32 &- count))
}

@inline(__always) private func word(_ pointer: UnsafeRawPointer, _ index: Int, bigEndian: Bool) -> UInt32 {
    let raw = pointer.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self)
    return bigEndian ? UInt32(bigEndian: raw) : UInt32(littleEndian: raw)
}

private struct MD5State {
    var a: UInt32 = 0x6745_2301
    var b: UInt32 = 0xefcd_ab89
    var c: UInt32 = 0x98ba_dcfe
    var d: UInt32 = 0x1032_5476

    @inline(__always) private func f(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ k: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotateLeft(a &+ (d ^ (b & (c ^ d))) &+ x &+ k, s)
    }
    @inline(__always) private func g(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ k: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotateLeft(a &+ (c ^ (d & (b ^ c))) &+ x &+ k, s)
    }
    @inline(__always) private func h(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ k: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotateLeft(a &+ (b ^ c ^ d) &+ x &+ k, s)
    }
    @inline(__always) private func i(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32, _ x: UInt32, _ k: UInt32, _ s: UInt32) -> UInt32 {
        b &+ rotateLeft(a &+ (c ^ (b | ~d)) &+ x &+ k, s)
    }

    mutating func compress(_ p: UnsafeRawPointer) {
        let (x0, x1, x2, x3) = (
            word(p, 0, bigEndian: false), word(p, 1, bigEndian: false), word(p, 2, bigEndian: false), word(p, 3, bigEndian: false)
        )
        let (x4, x5, x6, x7) = (
            word(p, 4, bigEndian: false), word(p, 5, bigEndian: false), word(p, 6, bigEndian: false), word(p, 7, bigEndian: false)
        )
        let (x8, x9, x10, x11) = (
            word(p, 8, bigEndian: false), word(p, 9, bigEndian: false), word(p, 10, bigEndian: false), word(p, 11, bigEndian: false)
        )
        let (x12, x13, x14, x15) = (
            word(p, 12, bigEndian: false), word(p, 13, bigEndian: false), word(p, 14, bigEndian: false), word(p, 15, bigEndian: false)
        )
        var (a, b, c, d) = (self.a, self.b, self.c, self.d)
        a = f(a, b, c, d, x0, 0xd76aa478, 7)
        d = f(d, a, b, c, x1, 0xe8c7b756, 12)
        c = f(c, d, a, b, x2, 0x242070db, 17)
        b = f(b, c, d, a, x3, 0xc1bdceee, 22)
        a = f(a, b, c, d, x4, 0xf57c0faf, 7)
        d = f(d, a, b, c, x5, 0x4787c62a, 12)
        c = f(c, d, a, b, x6, 0xa8304613, 17)
        b = f(b, c, d, a, x7, 0xfd469501, 22)
        a = f(a, b, c, d, x8, 0x698098d8, 7)
        d = f(d, a, b, c, x9, 0x8b44f7af, 12)
        c = f(c, d, a, b, x10, 0xffff5bb1, 17)
        b = f(b, c, d, a, x11, 0x895cd7be, 22)
        a = f(a, b, c, d, x12, 0x6b901122, 7)
        d = f(d, a, b, c, x13, 0xfd987193, 12)
        c = f(c, d, a, b, x14, 0xa679438e, 17)
        b = f(b, c, d, a, x15, 0x49b40821, 22)
        a = g(a, b, c, d, x1, 0xf61e2562, 5)
        d = g(d, a, b, c, x6, 0xc040b340, 9)
        c = g(c, d, a, b, x11, 0x265e5a51, 14)
        b = g(b, c, d, a, x0, 0xe9b6c7aa, 20)
        a = g(a, b, c, d, x5, 0xd62f105d, 5)
        d = g(d, a, b, c, x10, 0x02441453, 9)
        c = g(c, d, a, b, x15, 0xd8a1e681, 14)
        b = g(b, c, d, a, x4, 0xe7d3fbc8, 20)
        a = g(a, b, c, d, x9, 0x21e1cde6, 5)
        d = g(d, a, b, c, x14, 0xc33707d6, 9)
        c = g(c, d, a, b, x3, 0xf4d50d87, 14)
        b = g(b, c, d, a, x8, 0x455a14ed, 20)
        a = g(a, b, c, d, x13, 0xa9e3e905, 5)
        d = g(d, a, b, c, x2, 0xfcefa3f8, 9)
        c = g(c, d, a, b, x7, 0x676f02d9, 14)
        b = g(b, c, d, a, x12, 0x8d2a4c8a, 20)
        a = h(a, b, c, d, x5, 0xfffa3942, 4)
        d = h(d, a, b, c, x8, 0x8771f681, 11)
        c = h(c, d, a, b, x11, 0x6d9d6122, 16)
        b = h(b, c, d, a, x14, 0xfde5380c, 23)
        a = h(a, b, c, d, x1, 0xa4beea44, 4)
        d = h(d, a, b, c, x4, 0x4bdecfa9, 11)
        c = h(c, d, a, b, x7, 0xf6bb4b60, 16)
        b = h(b, c, d, a, x10, 0xbebfbc70, 23)
        a = h(a, b, c, d, x13, 0x289b7ec6, 4)
        d = h(d, a, b, c, x0, 0xeaa127fa, 11)
        c = h(c, d, a, b, x3, 0xd4ef3085, 16)
        b = h(b, c, d, a, x6, 0x04881d05, 23)
        a = h(a, b, c, d, x9, 0xd9d4d039, 4)
        d = h(d, a, b, c, x12, 0xe6db99e5, 11)
        c = h(c, d, a, b, x15, 0x1fa27cf8, 16)
        b = h(b, c, d, a, x2, 0xc4ac5665, 23)
        a = i(a, b, c, d, x0, 0xf4292244, 6)
        d = i(d, a, b, c, x7, 0x432aff97, 10)
        c = i(c, d, a, b, x14, 0xab9423a7, 15)
        b = i(b, c, d, a, x5, 0xfc93a039, 21)
        a = i(a, b, c, d, x12, 0x655b59c3, 6)
        d = i(d, a, b, c, x3, 0x8f0ccc92, 10)
        c = i(c, d, a, b, x10, 0xffeff47d, 15)
        b = i(b, c, d, a, x1, 0x85845dd1, 21)
        a = i(a, b, c, d, x8, 0x6fa87e4f, 6)
        d = i(d, a, b, c, x15, 0xfe2ce6e0, 10)
        c = i(c, d, a, b, x6, 0xa3014314, 15)
        b = i(b, c, d, a, x13, 0x4e0811a1, 21)
        a = i(a, b, c, d, x4, 0xf7537e82, 6)
        d = i(d, a, b, c, x11, 0xbd3af235, 10)
        c = i(c, d, a, b, x2, 0x2ad7d2bb, 15)
        b = i(b, c, d, a, x9, 0xeb86d391, 21)
        self.a &+= a
        self.b &+= b
        self.c &+= c
        self.d &+= d
    }
}

private struct SHA1State {
    var h: [UInt32] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476, 0xc3d2_e1f0]

    mutating func compress(_ p: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { w in
            for t in 0..<16 { w[t] = word(p, t, bigEndian: true) }
            for t in 16..<80 { w[t] = rotateLeft(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            compressExpanded(w)
        }
    }

    private mutating func compressExpanded(_ w: UnsafeMutableBufferPointer<UInt32>) {
        var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
        for t in 0..<80 {
            let f: UInt32
            let k: UInt32
            switch t {
            case 0..<20: (f, k) = ((b & c) | (~b & d), 0x5a82_7999)
            case 20..<40: (f, k) = (b ^ c ^ d, 0x6ed9_eba1)
            case 40..<60: (f, k) = ((b & c) | (b & d) | (c & d), 0x8f1b_bcdc)
            default: (f, k) = (b ^ c ^ d, 0xca62_c1d6)
            }
            let temp = rotateLeft(a, 5) &+ f &+ e &+ k &+ w[t]
            (e, d, c, b, a) = (d, c, rotateLeft(b, 30), a, temp)
        }
        h[0] &+= a
        h[1] &+= b
        h[2] &+= c
        h[3] &+= d
        h[4] &+= e
    }
}

private let sha256Constants: [UInt32] = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]

private struct SHA256State {
    var h: [UInt32] = [0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19]

    mutating func compress(_ p: UnsafeRawPointer) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 { w[t] = word(p, t, bigEndian: true) }
            for t in 16..<64 {
                let s0 = rotateLeft(w[t - 15], 25) ^ rotateLeft(w[t - 15], 14) ^ (w[t - 15] >> 3)
                let s1 = rotateLeft(w[t - 2], 15) ^ rotateLeft(w[t - 2], 13) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            compressExpanded(w)
        }
    }

    private mutating func compressExpanded(_ w: UnsafeMutableBufferPointer<UInt32>) {
        var (a, b, c, d, e, f, g, hh) = (h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7])
        for t in 0..<64 {
            let s1 = rotateLeft(e, 26) ^ rotateLeft(e, 21) ^ rotateLeft(e, 7)
            let choice = (e & f) ^ (~e & g)
            let temp1 = hh &+ s1 &+ choice &+ sha256Constants[t] &+ w[t]
            let s0 = rotateLeft(a, 30) ^ rotateLeft(a, 19) ^ rotateLeft(a, 10)
            let majority = (a & b) ^ (a & c) ^ (b & c)
            (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ temp1, c, b, a, temp1 &+ s0 &+ majority)
        }
        for (index, value) in [a, b, c, d, e, f, g, hh].enumerated() { h[index] &+= value }
    }
}
