import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import HummingbirdTesting
import ScuteCore
import ScuteStore
import Synchronization
import Testing

@testable import ScuteConsole

/// Issue 9, item 10: login throttling, bcrypt off the request tasks, roles and sessions that follow the user.
@Suite("Login hardening", .serialized)
struct LoginHardeningTests {
    /// Parallel wrong guesses: the limit holds, because each attempt is counted before its password is checked.
    @Test func parallelGuessesCannotSlipPastTheLimit() async throws {
        var setup = TestConsole()
        setup.configuration.bcryptCost = 8  // slow enough that the guesses overlap
        let console = setup
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<12 {
                    group.addTask {
                        try await client.call(.post, "/api/v1/authenticate", json: ["username": "admin", "password": .string("wrong-\(i)")]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // loginAttempts is 3 in the test console.
            #expect(statuses.filter { $0 == .unauthorized }.count == 3, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 9)
        }
    }

    /// Guessing across many user names from one address is limited too.
    @Test func oneAddressCannotGuessAcrossManyUserNames() async throws {
        var setup = TestConsole()
        setup.configuration.loginAttemptsPerAddress = 4
        let console = setup
        defer { console.remove() }
        try await console.app().test(.router) { client in
            for i in 0..<4 {
                let r = try await client.call(.post, "/api/v1/authenticate", json: ["username": .string("user\(i)"), "password": "wrong-password"])
                #expect(r.status == .unauthorized)
            }
            let next = try await client.call(.post, "/api/v1/authenticate", json: ["username": "someone-new", "password": "wrong-password"])
            #expect(next.status == .tooManyRequests)
            #expect(next.headers[.retryAfter] != nil)
        }
    }

    /// More logins at once than the password threads can queue are refused at once (503), not queued forever.
    @Test func passwordChecksBeyondTheQueueAreRefused() async throws {
        var setup = TestConsole()
        setup.configuration.bcryptCost = 10
        setup.configuration.passwordThreads = 1
        setup.configuration.maxQueuedPasswordChecks = 2
        setup.configuration.loginAttempts = 100
        let console = setup
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for i in 0..<10 {
                    group.addTask {
                        try await client.call(.post, "/api/v1/authenticate", json: ["username": .string("u\(i)"), "password": "wrong-password"])
                            .status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.contains(.serviceUnavailable), "\(statuses)")
            #expect(statuses.allSatisfy { $0 == .serviceUnavailable || $0 == .unauthorized })
        }
    }

    /// A flood of logins keeps the password threads busy, not the ones that answer /health. Every request has
    /// a connection of its own (the test client would queue them on one).
    @Test func aLoginFloodDoesNotStallHealth() async throws {
        var setup = TestConsole()
        setup.configuration.bcryptCost = 11
        setup.configuration.loginAttempts = 100
        setup.configuration.loginAttemptsPerAddress = 1000
        let console = setup
        defer { console.remove() }
        try await console.app().test(.live) { client in
            _ = try await client.call(.get, "/health")
            let port = try #require(console.runtime.apiPort)
            let body = #"{"username":"nobody","password":"wrong-password"}"#
            let login =
                "POST /api/v1/authenticate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            let health = "GET /health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
            // Not timed: /health must be answered while logins are still waiting for their hashes. Were it
            // queued behind them, every login would have been answered before the last /health.
            let answeredLogins = LoginCounter()
            let loginsLeftAfterHealth = try await withThrowingTaskGroup(of: Int?.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        let r = try await rawExchange(port: port, send: login, wait: .seconds(60))
                        #expect(r.text.hasPrefix("HTTP/1.1 401") || r.text.hasPrefix("HTTP/1.1 503"), "\(r.text.prefix(40))")
                        answeredLogins.value.add(1, ordering: .relaxed)
                        return nil
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(300))
                    for _ in 0..<5 {
                        let r = try await rawExchange(port: port, send: health, wait: .seconds(30))
                        #expect(r.text.hasPrefix("HTTP/1.1 200"))
                    }
                    return 16 - answeredLogins.value.load(ordering: .relaxed)
                }
                var left = 0
                for try await value in group { if let value { left = value } }
                return left
            }
            #expect(loginsLeftAfterHealth > 0, "every login was answered before /health: it waited for the hashes")
        }
    }

    @Test func anAPITokenNeverDoesMoreThanItsUserMayNow() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            _ = try await client.call(.post, "/api/v1/users", token: admin, json: ["name": "ops", "password": "ops-password-1", "role": "admin"])
            let ops = try await client.login("ops", "ops-password-1")
            let created = try await client.call(.post, "/api/v1/tokens", token: ops, json: ["name": "ci", "role": "admin"])
            let apiToken = try #require(created.body["token"]?.stringValue)
            #expect(try await client.call(.get, "/api/v1/users", token: apiToken).status == .ok)
            _ = try await client.call(.put, "/api/v1/users/ops", token: admin, json: ["role": "auditor"])
            #expect(try await client.call(.get, "/api/v1/users", token: apiToken).status == .forbidden)
            #expect(try await client.call(.get, "/api/v1/defenders", token: apiToken).status == .ok)
        }
    }

    @Test func aPasswordChangeOrADemotionEndsTheUsersSessions() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let admin = try await client.login()
            _ = try await client.call(.post, "/api/v1/users", token: admin, json: ["name": "ops", "password": "ops-password-1", "role": "operator"])
            let first = try await client.login("ops", "ops-password-1")
            _ = try await client.call(.put, "/api/v1/users/ops", token: admin, json: ["password": "ops-password-2"])
            #expect(try await client.call(.get, "/api/v1/defenders", token: first).status == .unauthorized)
            let second = try await client.login("ops", "ops-password-2")
            // A promotion keeps the session; a demotion ends it.
            _ = try await client.call(.put, "/api/v1/users/ops", token: admin, json: ["role": "admin"])
            #expect(try await client.call(.get, "/api/v1/users", token: second).status == .ok)
            _ = try await client.call(.put, "/api/v1/users/ops", token: admin, json: ["role": "auditor"])
            #expect(try await client.call(.get, "/api/v1/defenders", token: second).status == .unauthorized)
            // A user deleted and created again under the same name does not inherit old sessions.
            let third = try await client.login("ops", "ops-password-2")
            _ = try await client.call(.delete, "/api/v1/users/ops", token: admin)
            _ = try await client.call(.post, "/api/v1/users", token: admin, json: ["name": "ops", "password": "ops-password-3", "role": "auditor"])
            #expect(try await client.call(.get, "/api/v1/defenders", token: third).status == .unauthorized)
        }
    }
}

/// Logins answered so far, shared by the tasks of the flood.
private final class LoginCounter: Sendable {
    let value = Atomic<Int>(0)
}
