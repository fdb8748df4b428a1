#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What a file's bytes need to be read for.
struct ContentInterest: Sendable {
    /// Hash the whole file with this algorithm (448).
    var digest: DigestAlgorithm?
    /// Look for `PRIVATE KEY` markers, PuTTY and PKCS#12 files (425).
    var privateKeys = false
    /// Look for `stratum+tcp://` and the like in ELF files and scripts (426).
    var minerPools = false
    /// Look for Go's embedded build information in ELF files (inventory).
    var goBuildInfo = false

    var isEmpty: Bool { digest == nil && !privateKeys && !minerPools && !goBuildInfo }
}

/// What one read of a file found.
struct ContentFacts: Sendable {
    var isELF = false
    var isScript = false
    /// Lower-case hex, when a digest was asked for and the file was read whole.
    var digest: String?
    /// Offsets of `PRIVATE KEY` (at most `maximumMarkers`).
    var keyMarkers: [Int] = []
    /// Labels of the whole private key blocks found around the markers, e.g. `RSA PRIVATE KEY`.
    var keyBlocks: [String] = []
    /// The file starts like a PuTTY private key or is a PKCS#12 store.
    var keyFileFormat: String?
    /// The pool URL scheme found, e.g. `stratum+tcp`.
    var minerPool: String?
    var goBuildInfoOffset: Int?
    var problem: FileProblem?
}

/// Reads files in large chunks, once each, feeding the digest and the marker searches together. One per thread.
final class ContentInspector {
    static let chunkSize = 1 << 20
    static let overlap = 64
    static let maximumMarkers = 32
    private static let keyNeedle = Array("PRIVATE KEY".utf8)
    private static let stratumNeedle = Array("stratum".utf8)
    private static let goNeedle: [UInt8] = [0xff] + Array(" Go buildinf:".utf8)

    private let buffer: UnsafeMutableRawBufferPointer

    init() {
        buffer = .allocate(byteCount: Self.overlap + Self.chunkSize, alignment: 64)
    }

    deinit { buffer.deallocate() }

    func inspect(_ file: OpenedFile, interest: ContentInterest) -> ContentFacts {
        var facts = ContentFacts()
        var digest = interest.digest.map { FileDigest($0) }
        var wantKeys = interest.privateKeys
        var wantPools = false
        var wantGo = false
        let base = buffer.baseAddress!
        let data = base + Self.overlap
        var offset = 0
        var carried = 0
        var first = true
        while true {
            let count = pread(file.descriptor, data, Self.chunkSize, off_t(offset))
            if count < 0 {
                if errno == EINTR { continue }
                facts.problem = .unreadable(errnoMessage())
                return facts
            }
            if count == 0 { break }
            let chunk = UnsafeRawBufferPointer(start: data, count: count)
            if first {
                first = false
                facts.isELF = count >= 4 && chunk[0] == 0x7f && chunk[1] == 0x45 && chunk[2] == 0x4c && chunk[3] == 0x46
                facts.isScript = count >= 2 && chunk[0] == UInt8(ascii: "#") && chunk[1] == UInt8(ascii: "!")
                wantPools = interest.minerPools && (facts.isELF || facts.isScript)
                wantGo = interest.goBuildInfo && facts.isELF
                if interest.privateKeys { facts.keyFileFormat = PrivateKeyFormats.fileFormat(head: chunk) }
                if digest == nil && !wantKeys && !wantPools && !wantGo { return facts }
            }
            digest?.update(chunk)
            let window = UnsafeRawBufferPointer(start: data - carried, count: carried + count)
            let windowStart = offset - carried
            let atEnd = count < Self.chunkSize && offset + count >= file.size
            if wantKeys {
                search(Self.keyNeedle, anchor: 8, in: window, from: carried > 0 ? carried - Self.keyNeedle.count + 1 : 0) { position in
                    facts.keyMarkers.append(windowStart + position)
                    return facts.keyMarkers.count < Self.maximumMarkers
                }
                if facts.keyMarkers.count >= Self.maximumMarkers { wantKeys = false }
            }
            if wantPools {
                search(Self.stratumNeedle, anchor: 2, in: window, from: carried > 0 ? carried - 15 : 0) { position in
                    guard position + 16 <= window.count || atEnd else { return true }
                    if let scheme = MinerNames.poolScheme(in: window, at: position) {
                        facts.minerPool = scheme
                        return false
                    }
                    return true
                }
                if facts.minerPool != nil { wantPools = false }
            }
            if wantGo {
                search(Self.goNeedle, anchor: 13, in: window, from: carried > 0 ? carried - Self.goNeedle.count + 1 : 0) { position in
                    guard (windowStart + position) % 16 == 0 else { return true }
                    facts.goBuildInfoOffset = windowStart + position
                    return false
                }
                if facts.goBuildInfoOffset != nil { wantGo = false }
            }
            offset += count
            if digest == nil && !wantKeys && !wantPools && !wantGo { return facts }
            // Keep the tail so that a marker split across two reads is still found.
            let keep = min(Self.overlap, carried + count)
            (base + Self.overlap - keep).copyMemory(from: data + count - keep, byteCount: keep)
            carried = keep
        }
        if var digest { facts.digest = hexString(digest.finish()) }
        return facts
    }

    /// Calls `found` with each position of `needle` at or after `from` (clamped to 0) in `window`, until `found`
    /// returns false. memchr (vectorised in libc) finds the needle's `anchor` byte, chosen to be rare in binaries.
    private func search(_ needle: [UInt8], anchor: Int, in window: UnsafeRawBufferPointer, from: Int, _ found: (Int) -> Bool) {
        let base = window.baseAddress!
        let anchorByte = Int32(needle[anchor])
        var position = max(0, from) + anchor
        let limit = window.count - (needle.count - 1 - anchor)
        needle.withUnsafeBytes { needleBytes in
            while position < limit {
                guard let hit = memchr(base + position, anchorByte, limit - position) else { return }
                let anchorIndex = base.distance(to: UnsafeRawPointer(hit))
                let start = anchorIndex - anchor
                if memcmp(base + start, needleBytes.baseAddress!, needle.count) == 0 && !found(start) { return }
                position = anchorIndex + 1
            }
        }
    }
}
