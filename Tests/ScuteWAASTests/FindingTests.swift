import Testing

@testable import ScuteWAAS

@Suite struct FindingTests {
    @Test func locationsNameTheInput() {
        let engine = WAASEngine()
        let query = engine.inspect(Requests.get("/p?id=1%27%20or%20%271%27%3D%271"))
        #expect(query.contains { $0.location == "query:id" && $0.category == .sqli })
        let json = engine.inspect(Requests.post(contentType: "application/json", body: #"{"user":{"name":"<script>alert(1)</script>"}}"#))
        #expect(json.contains { $0.location == "json:$.user.name" && $0.category == .xss })
        let header = engine.inspect(Requests.get("/", headers: [HTTPHeader(name: "X-Api-Version", value: "${jndi:ldap://x/a}")]))
        #expect(header.contains { $0.location == "header:X-Api-Version" && $0.ruleID == "java-703" })
        let cookie = engine.inspect(Requests.get("/", headers: [HTTPHeader(name: "Cookie", value: "sid=abc; pref=../../../../etc/passwd")]))
        #expect(cookie.contains { $0.location == "cookie:pref" && $0.category == .lfi })
        let form = engine.inspect(Requests.form([("comment", "<iframe src=//evil>")]))
        #expect(form.contains { $0.location == "form:comment" })
        let xml = engine.inspect(Requests.post(contentType: "application/xml", body: #"<a><b c="; cat /etc/passwd"/></a>"#))
        #expect(xml.contains { $0.location == "xml:/a/b/@c" })
        let path = engine.inspect(Requests.get("/files/..%2f..%2f..%2fetc/passwd"))
        #expect(path.contains { $0.location == "path" })
    }

    @Test func excerptsAreShortEscapedAndRedacted() {
        let findings = WAASEngine().inspect(Requests.form([("q", "4111111111111111 " + String(repeating: "x", count: 200) + "\n; cat /etc/passwd")]))
        let finding = try! #require(findings.first { $0.category == .cmdi || $0.category == .lfi })
        #expect(finding.excerpt.count <= 60)
        #expect(!finding.excerpt.contains("\n"))
        let masked = Excerpt.make(Array("card 4111111111111111 end".utf8), start: 0, end: 24)
        #expect(!masked.contains("4111111111111111"))
        #expect(Excerpt.make(Array("a\u{0}b\r\n".utf8), start: 0, end: 5) == "a\\x00b\\r\\n")
    }

    @Test func exceptionsDropMatchingFindings() {
        let request = Requests.get("/admin/sql?query=select+*+from+users+where+id%3D1")
        #expect(!WAASEngine().inspect(request).isEmpty)
        let byPath = WAASConfiguration(exceptions: [WAASException(path: .prefix("/admin/"), categories: [.sqli])])
        #expect(WAASEngine(configuration: byPath).inspect(request).isEmpty)
        let byLocation = WAASConfiguration(exceptions: [WAASException(locations: ["query:query"])])
        #expect(WAASEngine(configuration: byLocation).inspect(request).isEmpty)
        let byRule = WAASConfiguration(exceptions: [WAASException(ruleIDs: ["sqli-105"])])
        #expect(WAASEngine(configuration: byRule).inspect(request).allSatisfy { $0.ruleID != "sqli-105" })
        let otherPath = WAASConfiguration(exceptions: [WAASException(path: .exact("/other"))])
        #expect(!WAASEngine(configuration: otherPath).inspect(request).isEmpty)
    }

    @Test func disabledCategoriesAreNotReported() {
        let request = Requests.get("/p?q=%3Cscript%3Ealert(1)%3C/script%3E")
        var configuration = WAASConfiguration()
        configuration.enabledCategories.remove(.xss)
        #expect(WAASEngine(configuration: configuration).inspect(request).allSatisfy { $0.category != .xss })
    }

    @Test func policyListsAreConfigurable() {
        var configuration = WAASConfiguration()
        configuration.allowedMethods = ["GET"]
        configuration.allowedContentTypes = ["application/json"]
        let engine = WAASEngine(configuration: configuration)
        #expect(engine.inspect(Requests.form([("a", "b")])).ruleIDs.isSuperset(of: ["protocol-1001", "protocol-1006"]))
    }

    @Test func ruleCatalogIsConsistent() {
        let ids = WAASRule.catalog.map(\.id)
        #expect(Set(ids).count == ids.count)
        for rule in WAASRule.catalog { #expect(rule.id.hasPrefix(rule.category.rawValue + "-")) }
    }
}
