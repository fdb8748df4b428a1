import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteConsoleAPI
import ScuteCore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Issue 9, item 11: the web UI cannot be made to run what a defender or a rule name carries.
@Suite("Web UI hardening", .serialized)
struct WebUIHardeningTests {
    @Test(arguments: [false, true])
    func everyAnswerCarriesTheBrowserSecurityHeaders(tls: Bool) async throws {
        let console = TestConsole(tls: tls)
        defer { console.remove() }
        try await console.app().test(.router) { client in
            for path in ["/", "/login", "/ui/ui.js", "/ui/ui.css", "/api/v1/defenders", "/health"] {
                let r = try await client.call(.get, path)
                let csp = try #require(r.headers[.contentSecurityPolicy], "\(path)")
                #expect(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"))
                #expect(r.headers[HTTPField.Name("X-Frame-Options")!] == "DENY")
                #expect(r.headers[.xContentTypeOptions] == "nosniff")
                #expect(r.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect((r.headers[.strictTransportSecurity] != nil) == tls, "\(path)")
            }
        }
    }

    @Test func thePageHasNoInlineCodeAndTheScriptWritesNoMarkupFromData() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let page = try await client.call(.get, "/login").text
            #expect(page.contains(#"<script src="/ui/ui.js"></script>"#))
            #expect(page.components(separatedBy: "<script").count == 2, "one script element, and it has a src")
            #expect(!page.contains("<style") && !page.contains("style="))
            #expect(page.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "no inline event handler")
            let script = try await client.call(.get, "/ui/ui.js").text
            for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "onclick=", "eval("] {
                #expect(!script.contains(sink), "ui.js uses \(sink)")
            }
            #expect(script.contains("textContent"))
        }
    }

    @Test(arguments: ["<img src=x onerror=alert(1)>", "x');alert(1);//", "", "-leading-dash", String(repeating: "a", count: 129)])
    func ruleNamesOutsideTheCharsetAreRefused(name: String) async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let r = try await client.call(.post, "/api/v1/policies/runtime/rules", token: t, json: ["name": .string(name)])
            #expect(r.status == .badRequest)
            #expect(r.body["error"]?["field"] == "name")
            #expect(try await client.call(.get, "/api/v1/policies/runtime", token: t).body["rules"]?.arrayValue?.isEmpty == true)
        }
    }

    @Test func theDocumentStatesTheCharset() throws {
        let document = try JSONValue.parse(bytes: OpenAPIDocument.bytes)
        let schemas = try #require(document["components"]?["schemas"])
        #expect(schemas["Rule"]?["properties"]?["name"]?["pattern"]?.stringValue == Identifiers.pattern)
        #expect(schemas["Defender"]?["properties"]?["id"]?["pattern"]?.stringValue == Identifiers.pattern)
    }

    @Test(arguments: ["x');alert(1);//", "<b>d</b>", "../d", String(repeating: "d", count: 129)])
    func aDefenderIDOutsideTheCharsetIsRefusedAtHello(id: String) async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: t)
            let token = try InstallBundle.decode(try #require(bundle.body["installBundle"]?.stringValue)).token
            let hello = ChannelMessage(type: .hello, payload: DefenderHello(defenderID: id, appID: "pay").payload)
            let exchange = try await channelExchange(port: port, token: token, frames: [hello.text], wait: .seconds(3))
            #expect(exchange.closed)
            #expect(exchange.messages.first?.payload["message"]?.stringValue?.hasPrefix("hello.defenderID") == true)
            #expect(try await client.call(.get, "/api/v1/defenders", token: t).body["defenders"]?.arrayValue?.isEmpty == true)
        }
    }
}
