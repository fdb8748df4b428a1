import Testing

@testable import ScuteVulns

/// Garbage never crashes an ordering or the OSV reader, and orderings stay consistent on what they accept.
@Suite struct GarbageTests {
    /// A small deterministic generator (SplitMix64), so a failure reproduces.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let alphabet = Array("0123456789.-_+~^:abcprvxzAZé ") + ["\u{0}", "\u{7F}"]

    static func versions(count: Int, seed: UInt64) -> [String] {
        var generator = Generator(state: seed)
        return (0..<count).map { _ in
            String((0..<Int.random(in: 0...14, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
        }
    }

    @Test(arguments: VersionScheme.allCases)
    func orderingsNeverCrashAndStayAntisymmetric(_ scheme: VersionScheme) {
        let samples = Self.versions(count: 400, seed: 42) + ["0", "1", "1.0", "1.0-1", "1:1.0-1", "1.0~rc1", "v1.2.3", "1.0a1"]
        var valid = 0
        for (index, a) in samples.enumerated() {
            let b = samples[(index * 7 + 3) % samples.count]
            let forward = scheme.compare(a, b)
            let backward = scheme.compare(b, a)
            #expect(forward.map { -$0 } == backward, "\(scheme): \(a) vs \(b)")
            if scheme.isValid(a) {
                valid += 1
                #expect(scheme.compare(a, a) == 0, "\(scheme): \(a) vs itself")
            } else {
                #expect(forward == nil)
            }
        }
        #expect(valid > 0)
    }

    @Test func deepNestingIsRefusedNotRecursedInto() {
        let deep = #"{"id": "X", "details": "# + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}"
        #expect(throws: VulnsError.invalidJSON(offset: 23 + 512, expected: "at most 512 levels of nesting")) {
            try OSVAdvisory.records(fromJSON: Array(deep.utf8))
        }
    }

    @Test func theReaderNeverCrashesOnTruncatedOrMangledRecords() throws {
        let record = Array(
            #"{"id": "X-1", "modified": "2024-01-01T00:00:00Z", "aliases": ["A\u00e9"], "affected": [{"package": {"ecosystem": "npm", "name": "n"}, "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}, {"fixed": "1.0.0"}]}], "versions": ["0.9.0"]}]}"#
                .utf8
        )
        #expect(try OSVAdvisory.records(fromJSON: record).count == 1)
        var generator = Generator(state: 7)
        var failures = 0
        for length in 0..<record.count {
            do { _ = try OSVAdvisory.records(fromJSON: Array(record[..<length])) } catch { failures += 1 }
        }
        #expect(failures == record.count)
        for _ in 0..<2_000 {
            var mangled = record
            for _ in 0..<3 { mangled[Int.random(in: 0..<mangled.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = try? OSVAdvisory.records(fromJSON: mangled)
        }
    }
}
