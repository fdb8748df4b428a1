import HTTPTypes
import Hummingbird
import HummingbirdBcrypt
import Logging
import Prometheus
import ScuteCore
import ScuteStore
import Synchronization

extension APIRoutes {
    static let roleNames = Role.allCases.map(\.rawValue)

    func authenticate(_ request: Request) async throws -> Response {
        let body = try await JSONBody.object(of: request, limit: limit, allowed: ["username", "password"])
        let name = try body.requiredString("username", maxLength: 200)
        let password = try body.requiredString("password", maxLength: 200)
        let now = WallClock.milliseconds() / 1000
        if let wait = await core.throttle.retryAfter(name, now: now) {
            core.metrics.failedLogins.increment()
            var error = APIError(.tooManyRequests, "too many failed logins for \(name); try again in \(wait) s")
            error.headers[.retryAfter] = String(wait)
            throw error
        }
        let user = try await store { () async throws(StoreError) in try await core.store.user(named: name) }
        let cost = core.configuration.bcryptCost
        // Verify against a dummy hash when the user does not exist, so timing does not tell who exists.
        let hash = user?.passwordHash ?? Self.dummyHash(cost: cost)
        let ok = Bcrypt.verify(password, hash: hash) && user != nil
        guard ok, let user else {
            await core.throttle.failed(name, now: now)
            core.metrics.failedLogins.increment()
            core.logger.notice("api.login.failed", metadata: ["user": "\(name.prefix(64))"])
            throw APIError(.unauthorized, "wrong user name or password")
        }
        await core.throttle.succeeded(name)
        let expires = now + core.configuration.sessionLifetime
        let token = core.signer.sign(TokenSigner.Claims(kind: .user, subject: user.name, role: user.role.rawValue, expires: expires, generation: 0))
        return Response.json([
            "token": .string(token),
            "tokenType": "Bearer",
            "expiresAt": Self.iso(milliseconds: expires * 1000),
            "user": .string(user.name),
            "role": .string(user.role.rawValue),
        ])
    }

    private static let dummy = Mutex<[UInt8: String]>([:])

    static func dummyHash(cost: UInt8) -> String {
        dummy.withLock { cache in
            if let h = cache[cost] { return h }
            let h = Bcrypt.hash("not-a-real-password", cost: cost)
            cache[cost] = h
            return h
        }
    }

    func registerUsers(_ api: RouterGroup<ConsoleRequestContext>) {
        api.get("users") { _, context in
            _ = try context.require(.administer)
            let users = try await store { () async throws(StoreError) in try await core.store.users() }
            return Response.json(["users": .array(users.map(Self.json))])
        }
        api.post("users") { request, context in
            _ = try context.require(.administer)
            let body = try await JSONBody.object(of: request, limit: limit, allowed: ["name", "password", "role"])
            let name = try Self.userName(try body.requiredString("name", maxLength: 100))
            let password = try Self.password(try body.requiredString("password", maxLength: 200))
            let role = try Self.role(try body.requiredString("role"))
            let user = User(
                name: name,
                passwordHash: Bcrypt.hash(password, cost: core.configuration.bcryptCost),
                role: role,
                createdAt: WallClock.milliseconds()
            )
            try await store { () async throws(StoreError) in try await core.store.createUser(user) }
            return Response.json(Self.json(user), status: .created)
        }
        api.put("users/:name") { request, context in try await updateUser(request, context) }
        api.delete("users/:name") { _, context in
            let me = try context.require(.administer)
            let name = try context.parameters.require("name")
            if me.name == name { throw APIError.badRequest("name", "you cannot delete yourself") }
            guard try await store({ () async throws(StoreError) in try await core.store.deleteUser(named: name) }) else {
                throw APIError.notFound("no user \(name)")
            }
            return Response(status: .noContent)
        }

        api.get("tokens") { _, context in
            _ = try context.require(.administer)
            let tokens = try await store { () async throws(StoreError) in try await core.store.apiTokens() }
            return Response.json(["tokens": .array(tokens.map(Self.json))])
        }
        api.post("tokens") { request, context in
            let me = try context.require(.administer)
            let body = try await JSONBody.object(of: request, limit: limit, allowed: ["name", "role", "expiresInDays"])
            let name = try body.requiredString("name", maxLength: 100)
            let role = try Self.role(try body.requiredString("role"))
            let days = try body.int("expiresInDays", range: 1...3650)
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
                expiresAt: days.map { now + Int64($0) * 86_400_000 }
            )
            try await store { () async throws(StoreError) in try await core.store.createAPIToken(token) }
            guard case .object(var o) = Self.json(token) else { throw APIError(.internalServerError, "token") }
            // The secret is shown once, here.
            o["token"] = .string(APITokenFormat.make(id: id, secret: secret))
            return Response.json(.object(o), status: .created)
        }
        api.delete("tokens/:id") { _, context in
            _ = try context.require(.administer)
            let id = try context.parameters.require("id")
            guard try await store({ () async throws(StoreError) in try await core.store.deleteAPIToken(id: id) }) else {
                throw APIError.notFound("no token \(id)")
            }
            return Response(status: .noContent)
        }
    }

    /// PUT /users/{name}. Split into small steps: Swift 6.3's release optimizer crashed (coroutine splitting)
    /// on this handler written as one closure or one function.
    private func updateUser(_ request: Request, _ context: ConsoleRequestContext) async throws -> Response {
        let change = try await userChange(request, context)
        let existing = try await loadUser(change.name)
        let updated = change.applied(to: existing, cost: core.configuration.bcryptCost)
        try await saveUser(updated)
        return Response.json(Self.json(updated))
    }

    private struct UserChange {
        var name: String
        var password: String?
        var role: Role?

        func applied(to user: User, cost: UInt8) -> User {
            User(
                name: user.name,
                passwordHash: password.map { Bcrypt.hash($0, cost: cost) } ?? user.passwordHash,
                role: role ?? user.role,
                createdAt: user.createdAt
            )
        }
    }

    // Unoptimized on purpose: Swift 6.3.1's release pipeline crashes in coroutine splitting here.
    @_optimize(none)
    private func userChange(_ request: Request, _ context: ConsoleRequestContext) async throws -> UserChange {
        let me = try context.require(.administer)
        let name = try context.parameters.require("name")
        let body = try await JSONBody.object(of: request, limit: limit, allowed: ["password", "role"])
        return try Self.userChange(body, name: name, caller: me.name)
    }

    private static func userChange(_ body: JSONBody, name: String, caller: String) throws(APIError) -> UserChange {
        var change = UserChange(name: name)
        if let p = try body.string("password", maxLength: 200) { change.password = try password(p) }
        if let r = try body.string("role") { change.role = try role(r) }
        if caller == name, let r = change.role, r != .admin {
            throw APIError.badRequest("role", "you cannot take away your own admin role")
        }
        return change
    }

    private func loadUser(_ name: String) async throws(APIError) -> User {
        let found = try await store { () async throws(StoreError) in try await core.store.user(named: name) }
        guard let user = found else { throw APIError.notFound("no user \(name)") }
        return user
    }

    private func saveUser(_ user: User) async throws(APIError) {
        try await store { () async throws(StoreError) in try await core.store.updateUser(user) }
    }

    static func json(_ user: User) -> JSONValue {
        ["name": .string(user.name), "role": .string(user.role.rawValue), "createdAt": iso(milliseconds: user.createdAt)]
    }

    static func json(_ token: APIToken) -> JSONValue {
        [
            "id": .string(token.id),
            "name": .string(token.name),
            "user": .string(token.userName),
            "role": .string(token.role.rawValue),
            "createdAt": iso(milliseconds: token.createdAt),
            "expiresAt": token.expiresAt.map { iso(milliseconds: $0) } ?? .null,
        ]
    }

    static func role(_ text: String) throws(APIError) -> Role {
        guard let role = Role(rawValue: text) else { throw APIError.badRequest("role", "must be one of \(roleNames.joined(separator: ", "))") }
        return role
    }

    static func userName(_ text: String) throws(APIError) -> String {
        guard text.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) || "._@-".unicodeScalars.contains($0) })
        else { throw APIError.badRequest("name", "letters, digits and . _ @ - only") }
        return text
    }

    static func password(_ text: String) throws(APIError) -> String {
        guard text.count >= 8 else { throw APIError.badRequest("password", "at least 8 characters") }
        return text
    }
}
