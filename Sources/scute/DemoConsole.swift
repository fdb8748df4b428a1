import AsyncHTTPClient
import Foundation
import OpenAPIRuntime
import ScuteConsoleAPI

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The demo's admin password: SCUTE_ADMIN_PASSWORD, else one made on the first run and kept (mode 0600).
enum DemoSetup {
    struct Password {
        var value: String
        /// How the banner names it (never the environment's value itself).
        var shown: String
    }

    static func adminPassword(folder: String) throws -> Password {
        if let given = ProcessInfo.processInfo.environment["SCUTE_ADMIN_PASSWORD"], !given.isEmpty {
            return Password(value: given, shown: "SCUTE_ADMIN_PASSWORD")
        }
        let path = folder + "/admin-password"
        if let kept = try? FileIO.readText(path).trimmingCharacters(in: .whitespacesAndNewlines), !kept.isEmpty {
            return Password(value: kept, shown: "in \(path)")
        }
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        var generator = SystemRandomNumberGenerator()
        let value = String((0..<20).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CLIError("\(path): \(String(cString: strerror(errno)))") }
        let bytes = Array((value + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard written == bytes.count else { throw CLIError("\(path): could not write the password") }
        return Password(value: value, shown: "in \(path)")
    }
}

/// What the demo asks its console, through the client generated from the console's OpenAPI document.
final class DemoConsole: Sendable {
    let client: Client
    private let http: HTTPClient

    private init(client: Client, http: HTTPClient) {
        self.client = client
        self.http = http
    }

    /// Waits (up to 60 s) for the console to answer, then logs in as admin.
    static func connect(base: String, password: String, console: ChildProcess) async throws -> DemoConsole {
        guard let url = URL(string: base) else { throw CLIError("bad console address \(base)") }
        let (anonymous, plain) = ConsoleConnectionOptions.client(base: url, token: nil)
        let deadline = ContinuousClock.now + .seconds(60)
        var token: String?
        while token == nil {
            if let status = console.exited() {
                throw CLIError("the console stopped (status \(status)):\n\(console.tail())")
            }
            guard ContinuousClock.now < deadline else { throw CLIError("the console did not answer within 60 s:\n\(console.tail())") }
            do {
                token = try await anonymous.authenticate(body: .json(.init(username: "admin", password: password))).ok.body.json.token
            } catch let error as ClientError where error.underlyingError is CLIError {
                // Refused: a data folder made with another password.
                try? await plain.shutdown()
                throw CLIError("\(error.underlyingError); is SCUTE_ADMIN_PASSWORD the password of this data folder?")
            } catch {
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        try? await plain.shutdown()
        let (client, http) = ConsoleConnectionOptions.client(base: url, token: token)
        return DemoConsole(client: client, http: http)
    }

    func close() async { try? await http.shutdown() }

    /// Creates the sample rule unless a rule of that name exists (the user's edits are kept).
    func ensureSamplePolicy(appID: String) async throws {
        let policy = try await client.getRuntimePolicy().ok.body.json
        guard !policy.rules.contains(where: { $0.name == Self.ruleName }) else { return }
        let json = """
            {"name": "\(Self.ruleName)", "collections": [{"appIDs": ["\(appID)"]}],
             "processes": {"effect": "prevent", "denied": ["nc", "ncat", "netcat", "socat"], "cryptoMiners": "prevent"},
             "network": {"effect": "prevent", "deniedOutboundPorts": [{"start": 6660, "end": 6669}]}}
            """
        let rule = try JSONDecoder().decode(Components.Schemas.Rule.self, from: Data(json.utf8))
        _ = try await client.createRule(body: .json(rule)).created
    }

    static let ruleName = "demo-policy"

    func installBundle(channel: String) async throws -> String {
        try await client.getInstallBundle(query: .init(consoleaddr: channel)).ok.body.json.installBundle
    }

    /// The connected defenders of `appID` once there are `count` (or what there is after `seconds`, or when `gaveUp`).
    func waitForDefenders(
        appID: String,
        count: Int,
        seconds: Int,
        gaveUp: () -> Bool
    ) async throws -> [Components.Schemas.Defender] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        var connected: [Components.Schemas.Defender] = []
        while ContinuousClock.now < deadline && !gaveUp() {
            connected = try await client.listDefenders().ok.body.json.defenders.filter { $0.appID == appID && $0.connected }
            if connected.count >= count { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        return connected
    }
}
