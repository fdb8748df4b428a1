import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import NIOPosix
import NIOSSL
import ScuteCore
import Testing

@testable import ScuteConsole

/// The web UI's server side: sessions, CSRF, forms going through the API, and the form and diff helpers.
@Suite("Web UI", .serialized)
struct WebUITests {
    /// Posts a form; returns status, headers and the page.
    static func post(
        _ client: some TestClientProtocol,
        _ path: String,
        _ form: String,
        cookie: String? = nil
    ) async throws -> (status: HTTPResponse.Status, headers: HTTPFields, text: String) {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: form)) {
            ($0.status, $0.headers, String(buffer: $0.body))
        }
    }

    static func get(
        _ client: some TestClientProtocol,
        _ path: String,
        cookie: String? = nil
    ) async throws -> (
        status: HTTPResponse.Status, headers: HTTPFields, text: String
    ) {
        var headers: HTTPFields = [:]
        if let cookie { headers[.cookie] = cookie }
        return try await client.execute(uri: path, method: .get, headers: headers) { ($0.status, $0.headers, String(buffer: $0.body)) }
    }

    /// Logs in through the login form; returns the cookie to send and the session's token.
    static func logIn(
        _ client: some TestClientProtocol,
        _ user: String = "admin",
        _ password: String = adminPassword
    ) async throws -> (
        cookie: String, token: String
    ) {
        let r = try await post(client, "/login", "username=\(user)&password=\(password)")
        #expect(r.status == .seeOther)
        #expect(r.headers[.location] == "/dashboard")
        let setCookie = try #require(r.headers[.setCookie])
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && setCookie.contains("Path=/"))
        let pair = String(try #require(setCookie.split(separator: ";").first))
        return (pair, String(pair.dropFirst("scute_session=".count)))
    }

    @Test func pagesNeedASessionAndTheLoginFormGivesOne() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            for path in ["/", "/dashboard", "/defend/runtime", "/monitor/events", "/manage/defenders/deploy", "/settings"] {
                let r = try await Self.get(client, path)
                #expect(r.status == .seeOther, "\(path)")
                #expect(r.headers[.location]?.hasPrefix("/login") == true, "\(path)")
            }
            let wrong = try await Self.post(client, "/login", "username=admin&password=nope")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.text.contains("loginError") && wrong.headers[.setCookie] == nil)
            let (cookie, _) = try await Self.logIn(client)
            for path in [
                "/dashboard", "/monitor/events", "/monitor/compliance", "/manage/defenders", "/manage/defenders/deploy",
                "/defend/runtime", "/collections", "/users", "/settings",
            ] {
                let r = try await Self.get(client, path, cookie: cookie)
                #expect(r.status == .ok, "\(path): \(r.text.prefix(200))")
                #expect(r.text.contains(#"<script src="/ui/ui.js"></script>"#) && r.text.contains(#"id="logout""#), "\(path)")
                #expect(r.text.components(separatedBy: "<script").count == 2, "\(path): one script element")
            }
            // A forged or stale cookie is no session.
            let stale = try await Self.get(client, "/dashboard", cookie: "scute_session=v1.e30.AAAA")
            #expect(stale.headers[.location] == "/login?expired=1")
        }
    }

    @Test func formsChangeThroughTheAPIOnlyWithTheSessionsCSRFToken() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let (cookie, token) = try await Self.logIn(client)
            let rule = "name=ui-rule&appIDs=pay%0D%0Aweb-*&p_effect=prevent&p_denied=nc%0D%0Acurl"
            let forged = try await Self.post(client, "/defend/runtime/save", "csrf=nope&" + rule, cookie: cookie)
            #expect(forged.status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/policies/runtime", token: token).body["rules"]?.arrayValue?.isEmpty == true)
            let csrf = WebUI.csrf(for: token)
            let saved = try await Self.post(client, "/defend/runtime/save", "csrf=\(csrf)&" + rule, cookie: cookie)
            #expect(saved.status == .seeOther)
            let rules = try #require(try await client.call(.get, "/api/v1/policies/runtime", token: token).body["rules"]?.arrayValue)
            #expect(rules.count == 1)
            #expect(rules.first?["collections"] == [["appIDs": ["pay", "web-*"]]])
            #expect(rules.first?["processes"] == ["denied": ["nc", "curl"], "effect": "prevent"])
            // A refusal of the API comes back at the field, with what was typed kept.
            let bad = try await Self.post(client, "/defend/runtime/save", "csrf=\(csrf)&name=bad%20name&p_denied=sh", cookie: cookie)
            #expect(bad.status == .badRequest)
            #expect(bad.text.contains("field-error") && bad.text.contains(#"value="bad name""#))
            // Log out: the cookie is cleared.
            let out = try await Self.post(client, "/logout", "csrf=\(csrf)", cookie: cookie)
            #expect(out.headers[.location] == "/login" && out.headers[.setCookie]?.contains("Max-Age=0") == true)
        }
    }

    @Test func anAuditorIsRefusedByTheAPIsRoleCheck() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            let created = try await client.call(
                .post,
                "/api/v1/users",
                token: admin,
                json: ["name": "watcher", "password": "watcher-password-1", "role": "auditor"]
            )
            #expect(created.status == .created)
            let (cookie, token) = try await Self.logIn(client, "watcher", "watcher-password-1")
            let r = try await Self.post(
                client,
                "/defend/runtime/save",
                "csrf=\(WebUI.csrf(for: token))&name=x&appIDs=*",
                cookie: cookie
            )
            #expect(r.status == .forbidden)
            #expect(r.text.contains("ruleError"))
            #expect(try await client.call(.get, "/api/v1/policies/runtime", token: admin).body["rules"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func valuesAreEscapedInPages() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let (cookie, token) = try await Self.logIn(client)
            let r = try await Self.post(
                client,
                "/collections/save",
                "csrf=\(WebUI.csrf(for: token))&name=c1&description=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
                cookie: cookie
            )
            #expect(r.status == .seeOther)
            let page = try await Self.get(client, "/collections", cookie: cookie)
            #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !page.text.contains("<script>alert"))
        }
    }

    /// Whether a TLS client that trusts only the console's CA and checks the name `host` gets an answer.
    static func verifiedHealth(port: Int, host: String, caPEM: String) async throws -> Bool {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        tls.certificateVerification = .fullVerification
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { ch in
            ch.eventLoop.makeCompletedFuture {
                try ch.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: host))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch)
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            do {
                try await outbound.write(ByteBuffer(string: "GET /health HTTP/1.1\r\nHost: \(host)\r\nConnection: close\r\n\r\n"))
                for try await buffer in inbound where String(buffer: buffer).hasPrefix("HTTP/1.1 200") { return true }
                return false
            } catch {
                return false
            }
        }
    }

    @Test func aSANAddedThroughTheAPIIsPresentedWithoutARestart() async throws {
        var configured = TestConsole(tls: true)
        // No IP address in the certificate: a client connecting to 127.0.0.1 is checked by name alone.
        configured.configuration.subjectAlternativeNames = ["localhost"]
        let console = configured
        defer { console.remove() }
        try await console.app().test(.live) { _ in
            let port = try #require(console.runtime.apiPort)
            let caPEM = try String(contentsOfFile: console.directory + "/ca.pem", encoding: .utf8)
            #expect(try await Self.verifiedHealth(port: port, host: "localhost", caPEM: caPEM))
            #expect(try await !Self.verifiedHealth(port: port, host: "console.example", caPEM: caPEM))
            let token = try await Self.apiToken(port: port, caPEM: caPEM)
            let added = try await Self.tlsCall(
                port: port,
                caPEM: caPEM,
                "POST",
                "/api/v1/settings/sans",
                token: token,
                body: #"{"name":"console.example"}"#
            )
            #expect(added.hasPrefix("HTTP/1.1 200"), "\(added)")
            #expect(added.contains(#""added":["console.example"]"#))
            // The next connection checks out under the new name, on both ports; the old name still works.
            #expect(try await Self.verifiedHealth(port: port, host: "console.example", caPEM: caPEM))
            #expect(try await Self.verifiedHealth(port: port, host: "localhost", caPEM: caPEM))
            let bad = try await Self.tlsCall(port: port, caPEM: caPEM, "POST", "/api/v1/settings/sans", token: token, body: #"{"name":"no spaces"}"#)
            #expect(bad.hasPrefix("HTTP/1.1 400") && bad.contains(#""field":"name""#))
        }
        // Kept for the next start.
        #expect(ServerIdentity.addedNames(in: DataFolder(path: console.directory)) == ["console.example"])
    }

    static func apiToken(port: Int, caPEM: String) async throws -> String {
        let answer = try await tlsCall(
            port: port,
            caPEM: caPEM,
            "POST",
            "/api/v1/authenticate",
            token: nil,
            body: #"{"username":"admin","password":"\#(adminPassword)"}"#
        )
        let json = try JSONValue.parse(String(answer[try #require(answer.range(of: "\r\n\r\n")).upperBound...]))
        return try #require(json["token"]?.stringValue)
    }

    /// One HTTP/1.1 request over verified TLS to `localhost`; the whole answer as text.
    static func tlsCall(port: Int, caPEM: String, _ method: String, _ path: String, token: String?, body: String) async throws -> String {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(caPEM.utf8)))
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { ch in
            ch.eventLoop.makeCompletedFuture {
                try ch.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost"))
                return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch)
            }
        }
        return try await channel.executeThenClose { inbound, outbound in
            var request = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: application/json\r\n"
            if let token { request += "Authorization: Bearer \(token)\r\n" }
            request += "Content-Length: \(body.utf8.count)\r\n\r\n" + body
            try await outbound.write(ByteBuffer(string: request))
            var text = ""
            do {
                for try await buffer in inbound { text += String(buffer: buffer) }
            } catch {}
            return text
        }
    }

    @Test func formsParseURLEncodedAndMultipartBodies() throws {
        let plain = try #require(UIForm(contentType: "application/x-www-form-urlencoded", body: Array("a=1+2&b=%C3%A9%26&a=3&c".utf8)))
        #expect(plain["a"] == "1 2" && plain["b"] == "é&" && plain.all("a") == ["1 2", "3"] && plain["c"] == "" && plain["none"] == "")
        let lists = UIForm(urlEncoded: "l=x%0D%0Ay,%20z%0A%0A")
        #expect(lists.list("l") == ["x", "y", "z"])
        let body =
            "--XyZ\r\nContent-Disposition: form-data; name=\"appID\"\r\n\r\npay\r\n--XyZ\r\n"
            + "Content-Disposition: form-data; name=\"dockerfile\"; filename=\"Dockerfile\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            + "FROM debian\r\nCMD x\n\r\n--XyZ--\r\n"
        let multi = try #require(UIForm(contentType: "multipart/form-data; boundary=XyZ", body: Array(body.utf8)))
        #expect(multi["appID"] == "pay")
        #expect(multi.files["dockerfile"]?.filename == "Dockerfile")
        #expect(multi.files["dockerfile"].map { String(decoding: $0.bytes, as: UTF8.self) } == "FROM debian\r\nCMD x\n")
        #expect(UIForm(contentType: "text/plain", body: []) == nil)
    }

    @Test func theDiffShowsWhatTheEmbeddingAdded() {
        let diff = UIDiff.lines(from: "a\nb\nc", to: "a\nx\nb\nc\ny")
        #expect(diff.map { $0["line"] as? String } == ["  a", "+ x", "  b", "  c", "+ y"])
        #expect(UIDiff.lines(from: "a\nb", to: "b").map { $0["kind"] as? String } == ["remove", "same"])
    }
}
