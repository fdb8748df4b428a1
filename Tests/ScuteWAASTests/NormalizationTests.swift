import Testing

@testable import ScuteWAAS

@Suite struct NormalizationTests {
    private func normalize(_ text: String) -> NormalizedValue {
        Normalizer.normalize(Array(text.utf8)[...], maxRounds: 4, maxLength: 4096)
    }

    @Test(arguments: [
        ("%253Cscript%253E", "<script>"),
        ("%25252e%25252e%25252f", "../"),
        ("%u003Cscript%u003E", "<script>"),
        ("%uFF1Cscript%uFF1E", "<script>"),
        ("..%c0%af..%c0%afetc", "../../etc"),
        ("%e0%80%ae%e0%80%ae/", "../"),
        ("&lt;img src=x onerror=alert(1)&gt;", "<img src=x onerror=alert(1)>"),
        ("&#60;&#x3C;&#0000060", "<<<"),
        ("$&lbracejndi:ldap", "${jndi:ldap"),
        ("\\u0065val\\x28", "eval("),
        ("ja&Tab;vascript&colon;", "ja\tvascript:"),
        ("\u{FF53}\u{FF43}\u{FF52}\u{FF49}\u{FF50}\u{FF54}", "script"),
        ("169\u{3002}254\u{3002}169\u{3002}254", "169.254.169.254"),
        ("O\u{2019}Brien", "O'Brien"),
    ])
    func decodesToAFixedPoint(encoded: String, decoded: String) {
        #expect(String(decoding: normalize(encoded).text, as: UTF8.self) == decoded)
    }

    @Test func lowercasesForMatchingButKeepsTheOriginalCase() {
        let value = normalize("SeLeCt%20*%20FrOm")
        #expect(String(decoding: value.text, as: UTF8.self) == "SeLeCt * FrOm")
        #expect(String(decoding: value.lower, as: UTF8.self) == "select * from")
    }

    @Test func reportsWhatItHadToUndo() {
        #expect(normalize("%252e").flags.contains(.multipleEncoding))
        #expect(normalize("%c0%af").flags.contains(.overlongUTF8))
        #expect(normalize("a%00b").flags.contains(.nul))
        #expect(normalize("%ff%fe").flags.contains(.invalidUTF8))
        #expect(normalize("%u0041").flags.contains(.percentU))
        #expect(normalize("plain words, 42").isPlain)
        #expect(!normalize("plain words, 42").flags.contains(.multipleEncoding))
    }

    @Test func keepsInvalidEscapesVerbatim() {
        var flags: DecodeFlags = []
        let decoded = PercentDecoder.decode(Array("100%+sure %zz %4".utf8)[...], plusAsSpace: true, flags: &flags)
        #expect(String(decoding: decoded, as: UTF8.self) == "100% sure %zz %4")
        #expect(flags.contains(.invalidEscape))
    }

    @Test(arguments: [
        "1/**/UNION/**/SELECT/**/password/**/FROM/**/users",
        "1 UnIoN aLl SeLeCt null,null--",
        "1 /*!50000union*/ /*!50000select*/ 1,2",
        "%2527%2520or%25201%253D1--",
    ])
    func sqlCommentsCaseAndEncodingTricksAreSeenThrough(payload: String) {
        let findings = WAASEngine().inspect(Requests.get("/items?id=" + Requests.encode(payload)))
        #expect(findings.categories.contains(.sqli))
    }
}
