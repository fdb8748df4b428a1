import Testing

@testable import ScuteWAAS

@Suite struct ParserTests {
    private func inputs(_ body: (inout InputCollector) -> Void) -> [Input] {
        var collector = InputCollector(limit: 100)
        body(&collector)
        return collector.inputs
    }

    private func values(_ inputs: [Input]) -> [String: String] {
        var result: [String: String] = [:]
        for input in inputs where !input.isName { result[input.location] = String(decoding: input.bytes, as: UTF8.self) }
        return result
    }

    @Test func queryStringsDecodePlusAndPercentOnce() {
        let found = inputs {
            _ = FormParser.parse(Array("q=rock+%27n%27+roll&page=2&empty=&flag".utf8)[...], source: .query, prefix: "query", into: &$0)
        }
        #expect(values(found) == ["query:q": "rock 'n' roll", "query:page": "2", "query:empty": "", "query:flag": ""])
        #expect(found.filter(\.isName).map { String(decoding: $0.bytes, as: UTF8.self) } == ["q", "page", "empty", "flag"])
    }

    @Test func cookiesSplitOnSemicolonsAndUnquote() {
        let found = inputs { CookieParser.parse(Array("sid=abc123; theme=\"dark\";lang=de-DE".utf8), into: &$0) }
        #expect(values(found) == ["cookie:sid": "abc123", "cookie:theme": "dark", "cookie:lang": "de-DE"])
    }

    @Test func jsonKeysAndStringsGetPaths() {
        let body = #"{"user":{"name":"O\u0027Brien","tags":["a","b"],"age":42},"ok":true}"#
        var collector = InputCollector(limit: 100)
        #expect(JSONWalker.walk(Array(body.utf8), maxDepth: 16, into: &collector))
        #expect(values(collector.inputs) == ["json:$.user.name": "O'Brien", "json:$.user.tags[0]": "a", "json:$.user.tags[1]": "b"])
        #expect(collector.inputs.contains { $0.isName && $0.location == "json:$.user.age" })
    }

    @Test(arguments: [#"{"a":"#, #"{"a":1,}"#, "[1 2]", #"{"a":"\u12"}"#, "nul"])
    func invalidJSONIsRejected(body: String) {
        var collector = InputCollector(limit: 100)
        #expect(!JSONWalker.walk(Array(body.utf8), maxDepth: 16, into: &collector))
    }

    @Test func jsonDepthIsBounded() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        var collector = InputCollector(limit: 100)
        #expect(!JSONWalker.walk(Array(deep.utf8), maxDepth: 32, into: &collector))
    }

    @Test func xmlAttributeValuesAndTextButNotNames() {
        let body = #"<?xml version="1.0"?><order id="7"><item sku="A-1">Blue &amp; red</item><![CDATA[raw <text>]]></order>"#
        var collector = InputCollector(limit: 100)
        #expect(XMLWalker.walk(Array(body.utf8), maxDepth: 16, into: &collector))
        let found = values(collector.inputs)
        #expect(found["xml:/order/@id"] == "7")
        #expect(found["xml:/order/item/@sku"] == "A-1")
        #expect(found["xml:/order/item"] == "Blue &amp; red")
        #expect(found["xml:/order"] == "raw <text>")
    }

    @Test func multipartFieldsAndFileNames() {
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nHoliday\r\n"
            + "--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\nContent-Type: text/plain\r\n\r\nline one\r\n--XyZ--\r\n"
        var collector = InputCollector(limit: 100)
        let issues = MultipartParser.parse(
            Array(body.utf8),
            boundary: Array("XyZ".utf8),
            truncated: false,
            allowedCharsets: ["utf-8"],
            into: &collector
        )
        #expect(issues.isEmpty)
        let found = values(collector.inputs)
        #expect(found["multipart:title"] == "Holiday")
        #expect(found["multipart:file#filename"] == "notes.txt")
        #expect(found["multipart:file"] == "line one")
        #expect(MultipartParser.boundary(of: Array("multipart/form-data; boundary=\"XyZ\"".utf8)) == Array("XyZ".utf8))
    }

    @Test func multipartEvasionsAreReported() {
        let body =
            "--b\r\nContent-Disposition: form-data; name=\"a;b\"; filename=\"x.php;.jpg\"\r\nContent-Type: text/plain; charset=utf-7\r\n"
            + "Content-Transfer-Encoding: base64\r\n\r\nx\r\n--b"
        var collector = InputCollector(limit: 100)
        let issues = MultipartParser.parse(
            Array(body.utf8),
            boundary: Array("b".utf8),
            truncated: false,
            allowedCharsets: ["utf-8"],
            into: &collector
        )
        #expect(issues.contains(.suspiciousName))
        #expect(issues.contains(.suspiciousFilename))
        #expect(issues.contains(.charset))
        #expect(issues.contains(.transferEncoding))
    }

    @Test func rawRequestsParseWithChunkedBodies() throws {
        let raw = "POST /a?b=1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        let request = try #require(HTTPRequest(raw: Array(raw.utf8)))
        #expect(request.method == "POST")
        #expect(request.target == "/a?b=1")
        #expect(request.bodyIsChunked)
        #expect(ChunkedDecoder.decode(request.body, truncated: false) == (Array("abc".utf8), true))
        #expect(!ChunkedDecoder.decode(Array("zz\r\nabc\r\n".utf8), truncated: false).valid)
    }
}
