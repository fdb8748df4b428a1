import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOSSL
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Issue 9, item 12: TLS versions, timeouts, file modes, the admin password and log lines.
@Suite("Transport and set-up hardening", .serialized)
struct TransportTests {
    static func client(maximum: TLSVersion) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        tls.minimumTLSVersion = .tlsv1
        tls.maximumTLSVersion = maximum
        return tls
    }

    @Test func bothPortsRefuseTLSBefore12() async throws {
        let console = TestConsole(tls: true)
        defer { console.remove() }
        try await console.app().test(.live) { _ in
            let channel = try await console.runtime.waitForChannelPort()
            let api = try #require(console.runtime.apiPort)
            let request = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            for port in [api, channel] {
                let old = try await rawExchange(port: port, tls: Self.client(maximum: .tlsv11), send: request, wait: .seconds(5))
                #expect(old.bytes.isEmpty && old.closed, "TLS 1.1 on port \(port): \(old.text)")
                let current = try await rawExchange(port: port, tls: Self.client(maximum: .tlsv12), send: request, wait: .seconds(5))
                #expect(current.text.hasPrefix("HTTP/1.1 200"), "TLS 1.2 on port \(port): \(current.text)")
            }
        }
    }

    @Test func connectionsThatSendNothingAreClosed() async throws {
        var setup = TestConsole(tls: true)
        setup.configuration.idleTimeoutSeconds = 1
        let console = setup
        defer { console.remove() }
        try await console.app().test(.live) { _ in
            let channel = try await console.runtime.waitForChannelPort()
            let api = try #require(console.runtime.apiPort)
            // heartbeatSeconds is 1: the channel port closes after max(1, 3 × 1) s.
            for port in [api, channel] {
                let silent = try await rawExchange(port: port, send: "", wait: .seconds(6))
                #expect(silent.closed, "port \(port) kept a silent connection")
                let partial = try await rawExchange(port: port, send: "\u{16}\u{03}\u{01}", wait: .seconds(6))
                #expect(partial.closed, "port \(port) kept a stalled TLS handshake")
            }
        }
    }

    @Test func aChannelThatSaysNoHelloIsClosed() async throws {
        var setup = TestConsole(tls: false)
        setup.configuration.helloTimeoutSeconds = 1
        let console = setup
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: t)
            let token = try InstallBundle.decode(try #require(bundle.body["installBundle"]?.stringValue)).token
            let exchange = try await channelExchange(port: port, token: token, frames: [], wait: .seconds(4))
            #expect(exchange.closed)
            #expect(exchange.messages.first?.payload["message"]?.stringValue?.contains("no hello") == true)
        }
    }

    @Test func theDataFolderAndTheDatabaseArePrivateWhateverTheyWere() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let fm = FileManager.default
        try fm.createDirectory(atPath: console.directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        fm.createFile(atPath: console.directory + "/scute.db", contents: nil, attributes: [.posixPermissions: 0o644])
        fm.createFile(
            atPath: console.directory + "/token-signing.key",
            contents: Data(repeating: 7, count: 32),
            attributes: [.posixPermissions: 0o644]
        )
        try await console.app().test(.router) { client in
            _ = try await client.login()
        }
        func mode(_ name: String) throws -> Int? {
            try fm.attributesOfItem(atPath: console.directory + name)[.posixPermissions] as? Int
        }
        #expect(try mode("") == 0o700)
        for file in ["/scute.db", "/token-signing.key", "/ca-key.pem", "/server-key.pem"] {
            #expect(try mode(file) == 0o600, "\(file)")
        }
        for file in ["/scute.db-wal", "/scute.db-shm"] where fm.fileExists(atPath: console.directory + file) {
            #expect(try mode(file) == 0o600, "\(file)")
        }
    }

    @Test(arguments: ["short", String(repeating: "p", count: 201)])
    func aWeakAdminPasswordStopsTheStart(password: String) async throws {
        var setup = TestConsole()
        setup.configuration.adminPassword = password
        let console = setup
        defer { console.remove() }
        let error = await #expect(throws: ConsoleError.self) { _ = try await console.app() }
        #expect(error?.message.hasPrefix("SCUTE_ADMIN_PASSWORD:") == true)
    }

    @Test func clientTextIsEscapedInLogLines() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let capture = LogCapture()
        let app = try await buildApplication(
            configuration: console.configuration,
            runtime: console.runtime,
            logger: capture.logger(),
            announce: { _ in }
        )
        let forged = "mallory\nconsole.admin.created user=admin\u{1b}[2J\u{202e}"
        try await app.test(.router) { client in
            let r = try await client.call(.post, "/api/v1/authenticate", json: ["username": .string(forged), "password": "wrong-password"])
            #expect(r.status == .unauthorized)
        }
        let failed = try #require(capture.all.first { $0.message == "api.login.failed" })
        let user = try #require(failed.metadata["user"])
        #expect(user.hasPrefix("mallory"))
        #expect(!user.unicodeScalars.contains { $0.value < 0x20 || $0 == "\u{202e}" }, "\(user.debugDescription)")
    }
}
