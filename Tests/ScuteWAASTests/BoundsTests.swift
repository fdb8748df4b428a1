import Testing

@testable import ScuteWAAS

/// The engine must answer quickly and never crash, whatever the bytes.
@Suite struct BoundsTests {
    @Test func oneMegabyteOfPercentTwentyFiveIsBounded() {
        let body = "a=" + String(repeating: "%25", count: 350_000)
        let request = Requests.post(contentType: "application/x-www-form-urlencoded", body: body)
        let findings = WAASEngine().inspect(request)
        #expect(findings.count <= WAASLimits().maxFindings)
        // The value is cut at the inspection limit and its decoding at the round limit.
        let value = Normalizer.normalize(Array(body.utf8)[...], maxRounds: 4, maxLength: 16 * 1024)
        #expect(value.text.count <= 16 * 1024)
        #expect(value.flags.contains(.truncated))
    }

    @Test func inputCountIsBounded() {
        let query = (0..<5_000).map { "p\($0)=v" }.joined(separator: "&")
        let findings = WAASEngine().inspect(Requests.get("/?" + query))
        #expect(findings.ruleIDs.contains("protocol-1024"))
    }

    @Test func deepJSONIsRejectedNotRecursedInto() {
        let body = String(repeating: "[", count: 100_000)
        let findings = WAASEngine().inspect(Requests.post(contentType: "application/json", body: body))
        #expect(findings.ruleIDs.contains("protocol-1021"))
    }

    @Test func arbitraryBytesDoNotCrash() {
        var generator = SplitMix(seed: 42)
        let engine = WAASEngine()
        for _ in 0..<300 {
            let length = Int(generator.next() % 600)
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            _ = engine.inspect(HTTPRequest(raw: Array("POST /x?".utf8) + bytes + Array(" HTTP/1.1\r\n\r\n".utf8) + bytes) ?? Requests.get("/"))
            for contentType in ["application/json", "application/xml", "multipart/form-data; boundary=a", "application/x-www-form-urlencoded"] {
                let request = HTTPRequest(
                    method: "POST",
                    target: "/",
                    headers: [HTTPHeader(name: "Content-Type", value: contentType)],
                    body: bytes,
                    bodyIsChunked: length % 2 == 0
                )
                _ = engine.inspect(request)
            }
        }
    }
}

/// A tiny deterministic generator so the test is reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
