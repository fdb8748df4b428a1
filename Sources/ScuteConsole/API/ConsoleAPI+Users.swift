import Foundation
import HTTPTypes
import Logging
import Prometheus
import ScuteConsoleAPI
import ScuteCore
import ScuteStore
import Synchronization

extension ConsoleAPI {
    static let roleNames = Role.allCases.map(\.rawValue)

    func authenticate(_ input: Operations.Authenticate.Input) async throws -> Operations.Authenticate.Output {
        guard case .json(let credentials) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let name = try Self.text(credentials.username, "username", maxLength: 200)
        let password = try Self.text(credentials.password, "password", maxLength: 200)
        let now = WallClock.milliseconds() / 1000
        // Counted before the password is checked, so parallel guesses cannot slip past the limit.
        let reservation: LoginThrottle.Reservation
        switch await core.throttle.reserve(name, address: Caller.address, now: now) {
        case .success(let r):
            reservation = r
        case .failure(let throttled):
            core.metrics.failedLogins.increment()
            core.logger.notice("api.login.throttled", metadata: ["user": "\(LogText.safe(name, limit: 64))", "client": "\(Caller.address)"])
            var error = APIError(.tooManyRequests, "too many failed logins; try again in \(throttled.seconds) s")
            error.headers[.retryAfter] = String(throttled.seconds)
            throw error
        }
        let user = try await store { () async throws(StoreError) in try await core.store.user(named: name) }
        // Verify against a dummy hash when the user does not exist, so timing does not tell who exists.
        let hash: String
        if let user { hash = user.passwordHash } else { hash = try await dummyHash() }
        let ok = try await core.hasher.verify(password, hash: hash) && user != nil
        guard ok, let user else {
            core.metrics.failedLogins.increment()
            core.logger.notice("api.login.failed", metadata: ["user": "\(LogText.safe(name, limit: 64))", "client": "\(Caller.address)"])
            throw APIError(.unauthorized, "wrong user name or password")
        }
        await core.throttle.succeeded(reservation)
        let expires = now + core.configuration.sessionLifetime
        let token = try await sign(
            TokenSigner.Claims(kind: .user, subject: user.name, role: user.role.rawValue, expires: expires, generation: user.sessionGeneration)
        )
        let session = Components.Schemas.Session(
            token: token,
            tokenType: "Bearer",
            expiresAt: Self.date(milliseconds: expires * 1000),
            user: user.name,
            role: try Self.payload(user.role.rawValue)
        )
        return .ok(.init(body: .json(session)))
    }

    private static let dummy = Mutex<[UInt8: String]>([:])

    /// A hash to check a password against when the user does not exist (made once per cost, on the
    /// password threads like every other hash).
    private func dummyHash() async throws(APIError) -> String {
        let cost = core.configuration.bcryptCost
        if let cached = Self.dummy.withLock({ $0[cost] }) { return cached }
        let made = try await core.hasher.hash("not-a-real-password", cost: cost)
        Self.dummy.withLock { $0[cost] = made }
        return made
    }

    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let users = try await store { () async throws(StoreError) in try await core.store.users() }
        return .ok(.init(body: .json(.init(users: try users.map(Self.schema)))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let name = try Self.userName(try Self.text(body.name, "name", maxLength: 100))
        let password = try Self.password(try Self.text(body.password, "password", maxLength: 200))
        let role = try Self.role(body.role.rawValue)
        let user = User(
            name: name,
            passwordHash: try await core.hasher.hash(password, cost: core.configuration.bcryptCost),
            role: role,
            createdAt: WallClock.milliseconds()
        )
        try await store { () async throws(StoreError) in try await core.store.createUser(user) }
        return .created(.init(body: .json(try Self.schema(user))))
    }

    /// PUT /users/{name}. Kept in small steps: Swift 6.3's release optimizer crashed (coroutine splitting)
    /// on this handler written as one function.
    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let change = try userChange(input)
        let existing = try await loadUser(change.name)
        let newHash = try await hashedPassword(change.password)
        let updated = change.applied(to: existing, passwordHash: newHash)
        try await saveUser(updated)
        if updated.sessionGeneration != existing.sessionGeneration {
            core.logger.notice("api.user.sessions_ended", metadata: ["user": "\(LogText.safe(updated.name, limit: 64))"])
        }
        return .ok(.init(body: .json(try Self.schema(updated))))
    }

    func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        let me = try Caller.current()
        let name = input.path.name
        if me.name == name { throw APIError.badRequest("name", "you cannot delete yourself") }
        guard try await store({ () async throws(StoreError) in try await core.store.deleteUser(named: name) }) else {
            throw APIError.notFound("no user \(name)")
        }
        return .noContent(.init())
    }

    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let tokens = try await store { () async throws(StoreError) in try await core.store.apiTokens() }
        return .ok(.init(body: .json(.init(tokens: try tokens.map { try Self.schema($0) }))))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        let me = try Caller.current()
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let name = try Self.text(body.name, "name", maxLength: 100)
        let role = try Self.role(body.role.rawValue)
        if let days = body.expiresInDays, !(1...3650).contains(days) {
            throw APIError.badRequest("expiresInDays", "must be from 1 to 3650")
        }
        let now = WallClock.milliseconds()
        let id = Secrets.token(9)
        let secret = Secrets.token(24)
        let token = APIToken(
            id: id,
            name: name,
            userName: me.name,
            role: role,
            secretHash: Secrets.sha256Hex(secret),
            createdAt: now,
            expiresAt: body.expiresInDays.map { now + Int64($0) * 86_400_000 }
        )
        try await store { () async throws(StoreError) in try await core.store.createAPIToken(token) }
        // The secret is shown once, here.
        return .created(.init(body: .json(try Self.schema(token, secret: APITokenFormat.make(id: id, secret: secret)))))
    }

    func deleteToken(_ input: Operations.DeleteToken.Input) async throws -> Operations.DeleteToken.Output {
        let id = input.path.id
        guard try await store({ () async throws(StoreError) in try await core.store.deleteAPIToken(id: id) }) else {
            throw APIError.notFound("no token \(id)")
        }
        return .noContent(.init())
    }

    private struct UserChange {
        var name: String
        var password: String?
        var role: Role?

        /// The user after the change. A new password or a lower role ends the user's sessions.
        func applied(to user: User, passwordHash: String?) -> User {
            let newRole = role ?? user.role
            let endsSessions = passwordHash != nil || newRole < user.role
            return User(
                name: user.name,
                passwordHash: passwordHash ?? user.passwordHash,
                role: newRole,
                createdAt: user.createdAt,
                sessionGeneration: user.sessionGeneration + (endsSessions ? 1 : 0)
            )
        }
    }

    private func userChange(_ input: Operations.UpdateUser.Input) throws(APIError) -> UserChange {
        let me = try Caller.current()
        guard case .json(let body) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        var change = UserChange(name: input.path.name)
        if let p = body.password { change.password = try Self.password(try Self.text(p, "password", maxLength: 200)) }
        if let r = body.role { change.role = try Self.role(r.rawValue) }
        if me.name == change.name, let r = change.role, r != .admin {
            throw APIError.badRequest("role", "you cannot take away your own admin role")
        }
        return change
    }

    private func hashedPassword(_ password: String?) async throws(APIError) -> String? {
        guard let password else { return nil }
        return try await core.hasher.hash(password, cost: core.configuration.bcryptCost)
    }

    private func loadUser(_ name: String) async throws(APIError) -> User {
        let found = try await store { () async throws(StoreError) in try await core.store.user(named: name) }
        guard let user = found else { throw APIError.notFound("no user \(name)") }
        return user
    }

    private func saveUser(_ user: User) async throws(APIError) {
        try await store { () async throws(StoreError) in try await core.store.updateUser(user) }
    }

    static func schema(_ user: User) throws(APIError) -> Components.Schemas.User {
        .init(name: user.name, role: try payload(user.role.rawValue), createdAt: date(milliseconds: user.createdAt))
    }

    static func schema(_ token: APIToken, secret: String? = nil) throws(APIError) -> Components.Schemas.APIToken {
        .init(
            id: token.id,
            name: token.name,
            user: token.userName,
            role: try payload(token.role.rawValue),
            createdAt: date(milliseconds: token.createdAt),
            expiresAt: token.expiresAt.map { date(milliseconds: $0) },
            token: secret
        )
    }

    /// A generated enum's case for a raw value the console produced itself.
    static func payload<P: RawRepresentable<String>>(_ raw: String) throws(APIError) -> P {
        guard let value = P(rawValue: raw) else { throw APIError(.internalServerError, "internal error") }
        return value
    }

    /// A required text field: not empty, not longer than `maxLength` bytes (checks the generator leaves out).
    static func text(_ value: String, _ field: String, maxLength: Int) throws(APIError) -> String {
        guard !value.isEmpty else { throw APIError.badRequest(field, "must not be empty") }
        guard value.utf8.count <= maxLength else { throw APIError.badRequest(field, "longer than \(maxLength) bytes") }
        return value
    }

    static func role(_ text: String) throws(APIError) -> Role {
        guard let role = Role(rawValue: text) else {
            throw APIError.badRequest("role", "must be one of \(roleNames.joined(separator: ", "))")
        }
        return role
    }

    static func userName(_ text: String) throws(APIError) -> String {
        let allowed = text.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._@-".unicodeScalars.contains($0)
        }
        guard allowed else { throw APIError.badRequest("name", "letters, digits and . _ @ - only") }
        return text
    }

    static func password(_ text: String) throws(APIError) -> String {
        if let problem = PasswordRules.problem(text) { throw APIError.badRequest("password", problem) }
        return text
    }
}
