import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ScuteCore
import ScuteStore
import Testing

@testable import ScuteConsole

let quietLogger: Logger = {
    var l = Logger(label: "scute.console.tests")
    l.logLevel = ProcessInfo.processInfo.environment["SCUTE_TEST_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .critical
    return l
}()

let adminPassword = "admin-password-1"

/// A console in a temporary data folder, on loopback, with cheap bcrypt and short intervals.
struct TestConsole {
    let directory: String
    let runtime = ConsoleRuntime()
    var configuration: ConsoleConfiguration

    init(tls: Bool = false) {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("scute-console-\(UUID().uuidString)").path
        configuration = ConsoleConfiguration(
            dataFolder: directory,
            host: "127.0.0.1",
            apiPort: 0,
            channelPort: 0,
            subjectAlternativeNames: ["localhost", "127.0.0.1"],
            insecureHTTP: !tls,
            adminPassword: adminPassword,
            bcryptCost: 4,
            heartbeatSeconds: 1,
            policyPollMilliseconds: 100,
            loginAttempts: 3,
            housekeepingSeconds: 1
        )
    }

    func app(store: (any ScuteStore)? = nil) async throws -> some ApplicationProtocol {
        try await buildApplication(configuration: configuration, store: store, runtime: runtime, logger: quietLogger, announce: { _ in })
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

extension TestClientProtocol {
    /// Sends a request with an optional bearer token and JSON body; returns status and parsed JSON (or null).
    @discardableResult
    func call(
        _ method: HTTPRequest.Method,
        _ path: String,
        token: String? = nil,
        json: JSONValue? = nil,
        raw: String? = nil
    ) async throws -> (status: HTTPResponse.Status, body: JSONValue, text: String, headers: HTTPFields) {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(string: json.serialized(.compact))
            headers[.contentType] = "application/json"
        } else if let raw {
            body = ByteBuffer(string: raw)
            headers[.contentType] = "application/json"
        }
        return try await execute(uri: path, method: method, headers: headers, body: body) { response in
            let text = String(buffer: response.body)
            return (response.status, (try? JSONValue.parse(text)) ?? .null, text, response.headers)
        }
    }

    func login(_ user: String = "admin", _ password: String = adminPassword) async throws -> String {
        let r = try await call(.post, "/api/v1/authenticate", json: ["username": .string(user), "password": .string(password)])
        #expect(r.status == .ok, "login \(user): \(r.text)")
        return try #require(r.body.objectValue?["token"]?.stringValue)
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// A task definition as `aws ecs register-task-definition` takes it.
let sampleTaskDefinition: JSONValue = [
    "family": "payments",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "512",
    "memory": "1024",
    "containerDefinitions": [
        [
            "name": "web", "image": "nginx:1.27", "essential": true, "entryPoint": ["/docker-entrypoint.sh"],
            "command": ["nginx", "-g", "daemon off;"],
        ]
    ],
]
