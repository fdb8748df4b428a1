import Logging
import PostgresNIO
import ScuteCore
import ServiceLifecycle

/// The shared store for several console replicas: PostgreSQL through postgres-nio's connection pool.
/// It is a `Service`: the pool runs while ``run()`` does, so put it first in the console's ServiceGroup.
public final class PostgresStore: ScuteStore, Service {
    private let client: PostgresClient
    let logger: Logger
    private let searchPath: String?

    /// - Parameters:
    ///   - url: `postgres://user:password@host:port/database?sslmode=...`
    ///   - searchPath: a schema to use instead of `public` (tests use one schema each).
    public init(url: String, searchPath: String? = nil, logger: Logger) throws(StoreError) {
        let parsed = try PostgresURL(url)
        let config = try parsed.clientConfiguration(searchPath: searchPath)
        if parsed.tlsMode.mayBePlaintext {
            // Not silent: prefer and allow fall back to plaintext when the server offers no TLS.
            logger.warning(
                "postgres.tls.unverified",
                metadata: ["sslmode": "\(parsed.tlsMode.rawValue)", "hint": "use sslmode=verify-full (and sslrootcert=FILE) in production"]
            )
        }
        self.client = PostgresClient(configuration: config, backgroundLogger: logger)
        self.logger = logger
        self.searchPath = searchPath
    }

    /// Runs the connection pool until cancelled or shut down gracefully.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.client.run()
        }
    }

    // MARK: - Access helpers

    private func failure(_ error: any Error, _ message: String) -> StoreError {
        if let e = error as? StoreError { return e }
        if let t = error as? PostgresTransactionError, let e = t.closureError as? StoreError { return e }
        logger.error("postgres.query.failed", metadata: ["error": "\(String(reflecting: error))"])
        return .unavailable(message)
    }

    func rows(_ query: PostgresQuery) async throws(StoreError) -> [PostgresRandomAccessRow] {
        do {
            return try await client.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
        } catch {
            throw failure(error, "database query failed")
        }
    }

    func transaction<T: Sendable>(
        _ body: (PostgresConnection) async throws -> T
    ) async throws(StoreError) -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch {
            throw failure(error, "database transaction failed")
        }
    }

    static func collect(
        _ connection: PostgresConnection,
        _ query: PostgresQuery,
        _ logger: Logger
    ) async throws
        -> [PostgresRandomAccessRow]
    {
        try await connection.query(query, logger: logger).collect().map { $0.makeRandomAccess() }
    }

    func decode<T>(_ body: () throws -> T) throws(StoreError) -> T {
        do { return try body() } catch { throw failure(error, "database returned unexpected data") }
    }

    // MARK: - Migrations

    public func migrate() async throws(StoreError) {
        if let searchPath { try await createSchema(searchPath) }
        let logger = self.logger
        try await transaction { c in
            // One replica migrates at a time; the others wait here and then find nothing to do.
            try await c.query("SELECT pg_advisory_xact_lock(80848084)", logger: logger)
            try await c.query(
                """
                CREATE TABLE IF NOT EXISTS scute_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                    applied_at BIGINT NOT NULL)
                """,
                logger: logger
            )
            let done = try await Self.collect(c, "SELECT version FROM scute_schema_migrations", logger)
                .map { try $0["version"].decode(Int.self) }
            for m in Schema.migrations where !done.contains(m.version) {
                for sql in m.postgres { try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
                try await c.query(
                    "INSERT INTO scute_schema_migrations (version, name, applied_at) VALUES (\(m.version), \(m.name), \(WallClock.milliseconds()))",
                    logger: logger
                )
                logger.info("postgres.migration.applied", metadata: ["version": "\(m.version)"])
            }
        }
    }

    /// Runs statements in one transaction; for tests that shape a database as an older build left it.
    func execute(unsafeSQL statements: [String]) async throws(StoreError) {
        let logger = self.logger
        try await transaction { c in
            for sql in statements { try await c.query(PostgresQuery(unsafeSQL: sql), logger: logger) }
        }
    }

    // MARK: - Users

    public func createUser(_ user: User) async throws(StoreError) {
        let r = try await rows(
            """
            INSERT INTO users (name, password_hash, role, created_at, session_generation) VALUES (\(user.name), \(user.passwordHash),
                \(user.role.rawValue), \(user.createdAt), \(user.sessionGeneration)) ON CONFLICT (name) DO NOTHING RETURNING 1
            """
        )
        if r.isEmpty { throw StoreError.conflict("user \(user.name) already exists") }
    }

    public func user(named name: String) async throws(StoreError) -> User? {
        let r = try await rows("SELECT * FROM users WHERE name = \(name)")
        return try decode { try r.first.map(Self.user) }
    }

    public func users() async throws(StoreError) -> [User] {
        let r = try await rows("SELECT * FROM users ORDER BY name")
        return try decode { try r.map(Self.user) }
    }

    public func updateUser(_ user: User) async throws(StoreError) {
        let r = try await rows(
            """
            UPDATE users SET password_hash = \(user.passwordHash), role = \(user.role.rawValue), session_generation = \(user.sessionGeneration)
            WHERE name = \(user.name) RETURNING 1
            """
        )
        if r.isEmpty { throw StoreError.notFound("no user \(user.name)") }
    }

    public func deleteUser(named name: String) async throws(StoreError) -> Bool {
        try await !rows("DELETE FROM users WHERE name = \(name) RETURNING 1").isEmpty
    }

    private static func user(_ r: PostgresRandomAccessRow) throws -> User {
        User(
            name: try r["name"].decode(String.self),
            passwordHash: try r["password_hash"].decode(String.self),
            role: Role(rawValue: try r["role"].decode(String.self)) ?? .auditor,
            createdAt: try r["created_at"].decode(Int64.self),
            sessionGeneration: try r["session_generation"].decode(Int64.self)
        )
    }

    // MARK: - API tokens

    public func createAPIToken(_ t: APIToken) async throws(StoreError) {
        let r = try await rows(
            """
            INSERT INTO api_tokens (id, name, user_name, role, secret_hash, created_at, expires_at)
            VALUES (\(t.id), \(t.name), \(t.userName), \(t.role.rawValue), \(t.secretHash), \(t.createdAt), \(t.expiresAt))
            ON CONFLICT (id) DO NOTHING RETURNING 1
            """
        )
        if r.isEmpty { throw StoreError.conflict("token \(t.id) already exists") }
    }

    public func apiToken(id: String) async throws(StoreError) -> APIToken? {
        let r = try await rows("SELECT * FROM api_tokens WHERE id = \(id)")
        return try decode { try r.first.map(Self.token) }
    }

    public func apiTokens() async throws(StoreError) -> [APIToken] {
        let r = try await rows("SELECT * FROM api_tokens ORDER BY created_at, id")
        return try decode { try r.map(Self.token) }
    }

    public func deleteAPIToken(id: String) async throws(StoreError) -> Bool {
        try await !rows("DELETE FROM api_tokens WHERE id = \(id) RETURNING 1").isEmpty
    }

    public func endSession(tokenHash: String, expiresAt: Int64, now: Int64) async throws(StoreError) {
        _ = try await rows("DELETE FROM ended_sessions WHERE expires_at < \(now)")
        _ = try await rows(
            "INSERT INTO ended_sessions (token_hash, expires_at) VALUES (\(tokenHash), \(expiresAt)) ON CONFLICT (token_hash) DO NOTHING"
        )
    }

    public func isSessionEnded(tokenHash: String) async throws(StoreError) -> Bool {
        try await !rows("SELECT 1 FROM ended_sessions WHERE token_hash = \(tokenHash)").isEmpty
    }

    private static func token(_ r: PostgresRandomAccessRow) throws -> APIToken {
        APIToken(
            id: try r["id"].decode(String.self),
            name: try r["name"].decode(String.self),
            userName: try r["user_name"].decode(String.self),
            role: Role(rawValue: try r["role"].decode(String.self)) ?? .auditor,
            secretHash: try r["secret_hash"].decode(String.self),
            createdAt: try r["created_at"].decode(Int64.self),
            expiresAt: try r["expires_at"].decode(Int64?.self)
        )
    }

    // MARK: - Collections

    // Collections change what rules match, so every collection change bumps the policy version too.
    public func createCollection(_ c: StoredCollection) async throws(StoreError) {
        let logger = self.logger
        try await transaction { conn in
            let r = try await Self.collect(
                conn,
                """
                INSERT INTO collections (name, description, app_ids, images, containers, task_families, task_ids, updated_at)
                VALUES (\(c.name), \(c.description), \(StringList.encode(c.appIDs)), \(StringList.encode(c.images)),
                    \(StringList.encode(c.containers)), \(StringList.encode(c.taskFamilies)), \(StringList.encode(c.taskIDs)),
                    \(c.updatedAt))
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """,
                logger
            )
            if r.isEmpty { throw StoreError.conflict("collection \(c.name) already exists") }
            _ = try await Self.bumpVersion(conn, logger)
        }
    }

    public func updateCollection(_ c: StoredCollection) async throws(StoreError) {
        let logger = self.logger
        try await transaction { conn in
            let r = try await Self.collect(
                conn,
                """
                UPDATE collections SET description = \(c.description), app_ids = \(StringList.encode(c.appIDs)),
                    images = \(StringList.encode(c.images)), containers = \(StringList.encode(c.containers)),
                    task_families = \(StringList.encode(c.taskFamilies)), task_ids = \(StringList.encode(c.taskIDs)),
                    updated_at = \(c.updatedAt)
                WHERE name = \(c.name) RETURNING 1
                """,
                logger
            )
            if r.isEmpty { throw StoreError.notFound("no collection \(c.name)") }
            _ = try await Self.bumpVersion(conn, logger)
        }
    }

    public func collection(named name: String) async throws(StoreError) -> StoredCollection? {
        let r = try await rows("SELECT * FROM collections WHERE name = \(name)")
        return try decode { try r.first.map(Self.collection) }
    }

    public func collections() async throws(StoreError) -> [StoredCollection] {
        let r = try await rows("SELECT * FROM collections ORDER BY name")
        return try decode { try r.map(Self.collection) }
    }

    public func deleteCollection(named name: String) async throws(StoreError) -> Bool {
        let logger = self.logger
        return try await transaction { conn in
            guard try await !Self.collect(conn, "DELETE FROM collections WHERE name = \(name) RETURNING 1", logger).isEmpty else {
                return false
            }
            _ = try await Self.bumpVersion(conn, logger)
            return true
        }
    }

    private static func collection(_ r: PostgresRandomAccessRow) throws -> StoredCollection {
        StoredCollection(
            name: try r["name"].decode(String.self),
            description: try r["description"].decode(String.self),
            appIDs: StringList.decode(try r["app_ids"].decode(String.self)),
            images: StringList.decode(try r["images"].decode(String.self)),
            containers: StringList.decode(try r["containers"].decode(String.self)),
            taskFamilies: StringList.decode(try r["task_families"].decode(String.self)),
            taskIDs: StringList.decode(try r["task_ids"].decode(String.self)),
            updatedAt: try r["updated_at"].decode(Int64.self)
        )
    }

    // MARK: - Runtime rules

    public func runtimePolicy() async throws(StoreError) -> RuntimePolicy {
        let logger = self.logger
        return try await transaction { c in
            let version =
                try await Self.collect(c, "SELECT version FROM policy_version WHERE id = 1", logger).first?["version"]
                .decode(Int64.self) ?? 0
            let rules = try await Self.collect(c, "SELECT * FROM runtime_rules ORDER BY position, name", logger).map { r in
                RuntimeRule(
                    name: try r["name"].decode(String.self),
                    body: JSONValueBridge.parse(try r["body"].decode(String.self)),
                    updatedAt: try r["updated_at"].decode(Int64.self)
                )
            }
            return RuntimePolicy(version: version, rules: rules)
        }
    }

    public func policyVersion() async throws(StoreError) -> Int64 {
        let r = try await rows("SELECT version FROM policy_version WHERE id = 1")
        return try decode { try r.first?["version"].decode(Int64.self) ?? 0 }
    }

    /// Locks the policy row so that concurrent rule changes from several replicas apply one after another.
    private static func lockedRuleNames(_ c: PostgresConnection, _ logger: Logger) async throws -> [String] {
        try await c.query("SELECT version FROM policy_version WHERE id = 1 FOR UPDATE", logger: logger)
        return try await collect(c, "SELECT name FROM runtime_rules ORDER BY position, name", logger)
            .map { try $0["name"].decode(String.self) }
    }

    static func bumpVersion(_ c: PostgresConnection, _ logger: Logger) async throws -> Int64 {
        let r = try await collect(c, "UPDATE policy_version SET version = version + 1 WHERE id = 1 RETURNING version", logger)
        // Delivered on commit to every replica that LISTENs (see listenForPolicyChanges).
        try await c.query("NOTIFY scute_policy", logger: logger)
        return try r.first?["version"].decode(Int64.self) ?? 0
    }

    private static func setPositions(_ c: PostgresConnection, _ names: [String], _ logger: Logger) async throws {
        let positions = Array(0..<names.count)
        try await c.query(
            """
            UPDATE runtime_rules SET position = o.position FROM unnest(\(names)::text[], \(positions)::int8[]) AS o(name, position)
            WHERE runtime_rules.name = o.name
            """,
            logger: logger
        )
    }

    public func createRule(_ rule: RuntimeRule, at position: Int?) async throws(StoreError) -> Int64 {
        let logger = self.logger
        return try await transaction { c in
            let names = try await Self.lockedRuleNames(c, logger)
            if names.contains(rule.name) { throw StoreError.conflict("rule \(rule.name) already exists") }
            var order = names
            order.insert(rule.name, at: min(max(position ?? names.count, 0), names.count))
            try await c.query(
                """
                INSERT INTO runtime_rules (name, position, body, updated_at)
                VALUES (\(rule.name), -1, \(rule.body.serialized(.compact)), \(rule.updatedAt))
                """,
                logger: logger
            )
            try await Self.setPositions(c, order, logger)
            return try await Self.bumpVersion(c, logger)
        }
    }

    public func updateRule(_ rule: RuntimeRule) async throws(StoreError) -> Int64 {
        let logger = self.logger
        return try await transaction { c in
            let names = try await Self.lockedRuleNames(c, logger)
            guard names.contains(rule.name) else { throw StoreError.notFound("no rule \(rule.name)") }
            try await c.query(
                "UPDATE runtime_rules SET body = \(rule.body.serialized(.compact)), updated_at = \(rule.updatedAt) WHERE name = \(rule.name)",
                logger: logger
            )
            return try await Self.bumpVersion(c, logger)
        }
    }

    public func deleteRule(named name: String) async throws(StoreError) -> Int64 {
        let logger = self.logger
        return try await transaction { c in
            let names = try await Self.lockedRuleNames(c, logger)
            guard names.contains(name) else { throw StoreError.notFound("no rule \(name)") }
            try await c.query("DELETE FROM runtime_rules WHERE name = \(name)", logger: logger)
            return try await Self.bumpVersion(c, logger)
        }
    }

    public func reorderRules(_ names: [String]) async throws(StoreError) -> Int64 {
        let logger = self.logger
        return try await transaction { c in
            let existing = try await Self.lockedRuleNames(c, logger)
            try RuleOrder.check(names, existing: existing)
            try await Self.setPositions(c, names, logger)
            return try await Self.bumpVersion(c, logger)
        }
    }

    // MARK: - Defenders

    public func defenderConnected(_ d: DefenderRecord, at time: Int64) async throws(StoreError) {
        _ = try await rows(
            """
            INSERT INTO defenders (id, app_id, task_family, task_arn, container, image, version, connected, since, last_seen, revoked,
                enrollment_id)
            VALUES (\(d.id), \(d.appID), \(d.taskFamily), \(d.taskARN), \(d.container), \(d.image), \(d.version), 1, \(time), \(time), 0,
                \(d.enrollmentID))
            ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id, task_family = excluded.task_family,
                task_arn = excluded.task_arn, container = excluded.container, image = excluded.image,
                version = excluded.version, connected = 1, since = excluded.since, last_seen = excluded.last_seen,
                enrollment_id = CASE WHEN defenders.enrollment_id = '' THEN excluded.enrollment_id ELSE defenders.enrollment_id END
            """
        )
    }

    public func enrollDefender(_ d: DefenderRecord, credentialHash: String, at time: Int64) async throws(StoreError) -> Bool {
        try await !rows(
            """
            INSERT INTO defenders (id, app_id, task_family, task_arn, container, image, version, connected, since, last_seen, revoked,
                credential_hash, enrollment_id)
            VALUES (\(d.id), \(d.appID), \(d.taskFamily), \(d.taskARN), \(d.container), \(d.image), \(d.version), 1, \(time), \(time), 0,
                \(credentialHash), \(d.enrollmentID))
            ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id, task_family = excluded.task_family,
                task_arn = excluded.task_arn, container = excluded.container, image = excluded.image,
                version = excluded.version, connected = 1, since = excluded.since, last_seen = excluded.last_seen,
                credential_hash = excluded.credential_hash, enrollment_id = excluded.enrollment_id
            WHERE defenders.credential_hash = '' AND defenders.revoked = 0
            RETURNING 1
            """
        ).isEmpty
    }

    public func blockEnrollment(id: String, defenderID: String, at time: Int64) async throws(StoreError) {
        _ = try await rows(
            "INSERT INTO blocked_enrollments (id, defender_id, blocked_at) VALUES (\(id), \(defenderID), \(time)) ON CONFLICT (id) DO NOTHING"
        )
    }

    public func isEnrollmentBlocked(id: String) async throws(StoreError) -> Bool {
        try await !rows("SELECT 1 FROM blocked_enrollments WHERE id = \(id)").isEmpty
    }

    public func swapDefenderCredential(id: String, expected: String, new: String) async throws(StoreError) -> Bool {
        try await !rows(
            "UPDATE defenders SET credential_hash = \(new) WHERE id = \(id) AND credential_hash = \(expected) AND revoked = 0 RETURNING 1"
        ).isEmpty
    }

    public func revokeDefenderCredentials() async throws(StoreError) -> Int {
        try await rows("UPDATE defenders SET credential_hash = '' WHERE credential_hash <> '' RETURNING 1").count
    }

    public func defenderDisconnected(id: String, at time: Int64) async throws(StoreError) {
        _ = try await rows("UPDATE defenders SET connected = 0, since = \(time), last_seen = \(time) WHERE id = \(id) AND connected = 1")
    }

    public func defendersSeen(ids: [String], at time: Int64) async throws(StoreError) {
        guard !ids.isEmpty else { return }
        _ = try await rows("UPDATE defenders SET last_seen = \(time) WHERE id = ANY(\(ids)::text[])")
    }

    public func defender(id: String) async throws(StoreError) -> DefenderRecord? {
        let r = try await rows("SELECT * FROM defenders WHERE id = \(id)")
        return try decode { try r.first.map(Self.defender) }
    }

    public func defenders() async throws(StoreError) -> [DefenderRecord] {
        let r = try await rows("SELECT * FROM defenders ORDER BY app_id, id")
        return try decode { try r.map(Self.defender) }
    }

    public func revokeDefender(id: String, at time: Int64) async throws(StoreError) -> Bool {
        try await !rows(
            """
            UPDATE defenders SET revoked = 1, since = CASE WHEN connected = 1 THEN \(time) ELSE since END, connected = 0
            WHERE id = \(id) RETURNING 1
            """
        ).isEmpty
    }

    public func deleteDefender(id: String) async throws(StoreError) -> Bool {
        try await !rows("DELETE FROM defenders WHERE id = \(id) RETURNING 1").isEmpty
    }

    public func markStaleDefenders(lastSeenBefore: Int64) async throws(StoreError) -> Int {
        try await rows(
            "UPDATE defenders SET connected = 0, since = last_seen WHERE connected = 1 AND last_seen < \(lastSeenBefore) RETURNING 1"
        ).count
    }

    public func expireDefenders(disconnectedBefore: Int64) async throws(StoreError) -> Int {
        try await rows("DELETE FROM defenders WHERE connected = 0 AND revoked = 0 AND since < \(disconnectedBefore) RETURNING 1").count
    }

    private static func defender(_ r: PostgresRandomAccessRow) throws -> DefenderRecord {
        DefenderRecord(
            id: try r["id"].decode(String.self),
            appID: try r["app_id"].decode(String.self),
            taskFamily: try r["task_family"].decode(String.self),
            taskARN: try r["task_arn"].decode(String.self),
            container: try r["container"].decode(String.self),
            image: try r["image"].decode(String.self),
            version: try r["version"].decode(String.self),
            connected: try r["connected"].decode(Int.self) != 0,
            since: try r["since"].decode(Int64.self),
            lastSeen: try r["last_seen"].decode(Int64.self),
            revoked: try r["revoked"].decode(Int.self) != 0,
            credentialHash: try r["credential_hash"].decode(String.self),
            enrollmentID: try r["enrollment_id"].decode(String.self)
        )
    }

    // MARK: - Audits

    public func insertAudits(_ audits: [StoredAudit]) async throws(StoreError) -> Int {
        guard !audits.isEmpty else { return 0 }
        // One statement per batch: the arrays travel as binary parameters, a single round trip.
        let r = try await rows(
            """
            INSERT INTO audits (id, time, defender_id, app_id, container, type, effect, rule, attack_type, task_family, task_arn,
                task_id, body)
            SELECT * FROM unnest(\(audits.map(\.id))::text[], \(audits.map(\.time))::int8[], \(audits.map(\.defenderID))::text[],
                \(audits.map(\.appID))::text[], \(audits.map(\.container))::text[], \(audits.map(\.type))::text[],
                \(audits.map(\.effect))::text[], \(audits.map(\.rule))::text[], \(audits.map(\.attackType))::text[],
                \(audits.map(\.taskFamily))::text[], \(audits.map(\.taskARN))::text[], \(audits.map(\.taskID))::text[],
                \(audits.map(\.body))::text[])
            ON CONFLICT (id) DO NOTHING RETURNING 1
            """
        )
        return r.count
    }

    public func audits(_ query: AuditQuery) async throws(StoreError) -> AuditPage {
        var binds = PostgresBindings()
        var clauses: [String] = []
        if let from = query.from {
            binds.append(from)
            clauses.append("time >= $\(binds.count)")
        }
        if let to = query.to {
            binds.append(to)
            clauses.append("time < $\(binds.count)")
        }
        for (column, value) in query.equalityFilters {
            binds.append(value)
            clauses.append("\(column) = $\(binds.count)")
        }
        let first = binds.count + 1
        if let task = query.taskClause({ "$\(first + $0)" }) {
            for value in task.values { binds.append(value) }
            clauses.append(task.sql)
        }
        let whereSQL = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let order = query.newestFirst ? "time DESC, id DESC" : "time ASC, id ASC"
        let countQuery = PostgresQuery(unsafeSQL: "SELECT COUNT(*) AS n FROM audits" + whereSQL, binds: binds)
        var pageBinds = binds
        pageBinds.append(query.limit)
        pageBinds.append(query.offset)
        let pageQuery = PostgresQuery(
            unsafeSQL: "SELECT * FROM audits\(whereSQL) ORDER BY \(order) LIMIT $\(pageBinds.count - 1) OFFSET $\(pageBinds.count)",
            binds: pageBinds
        )
        let total = try await rows(countQuery)
        let page = try await rows(pageQuery)
        return try decode {
            AuditPage(
                total: try total.first?["n"].decode(Int.self) ?? 0,
                items: try page.map { r in
                    StoredAudit(
                        id: try r["id"].decode(String.self),
                        time: try r["time"].decode(Int64.self),
                        defenderID: try r["defender_id"].decode(String.self),
                        appID: try r["app_id"].decode(String.self),
                        container: try r["container"].decode(String.self),
                        type: try r["type"].decode(String.self),
                        effect: try r["effect"].decode(String.self),
                        rule: try r["rule"].decode(String.self),
                        attackType: try r["attack_type"].decode(String.self),
                        taskFamily: try r["task_family"].decode(String.self),
                        taskARN: try r["task_arn"].decode(String.self),
                        body: try r["body"].decode(String.self)
                    )
                }
            )
        }
    }

    public func deleteAudits(before time: Int64) async throws(StoreError) -> Int {
        try await rows("DELETE FROM audits WHERE time < \(time) RETURNING 1").count
    }

    // MARK: - Settings

    public func setting(_ key: String) async throws(StoreError) -> String? {
        let r = try await rows("SELECT value FROM settings WHERE key = \(key)")
        return try decode { try r.first?["value"].decode(String.self) }
    }

    public func setSetting(_ key: String, _ value: String) async throws(StoreError) {
        _ = try await rows(
            "INSERT INTO settings (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value"
        )
    }

    public func settings() async throws(StoreError) -> [String: String] {
        let r = try await rows("SELECT key, value FROM settings")
        return try decode {
            var out: [String: String] = [:]
            for row in r { out[try row["key"].decode(String.self)] = try row["value"].decode(String.self) }
            return out
        }
    }
}

extension PostgresStore {
    /// Calls `onChange` whenever any replica commits a rule change (LISTEN scute_policy), until cancelled.
    /// Holds one pooled connection while it runs.
    public func listenForPolicyChanges(_ onChange: @escaping @Sendable () async -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.listen(on: "scute_policy") { notifications in
                for try await _ in notifications { await onChange() }
            }
        }
    }

    /// Creates a schema (letters, digits, `_`); tests give each store its own.
    package func createSchema(_ name: String) async throws(StoreError) {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 == 95 || ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 122) }) else {
            throw StoreError.invalid("schema names are lowercase letters, digits and _")
        }
        _ = try await rows(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \(name)"))
    }

    /// Drops a schema made by ``createSchema(_:)``.
    package func dropSchema(_ name: String) async throws(StoreError) {
        _ = try await rows(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(name) CASCADE"))
    }
}

// MARK: - Reports and advisories

extension PostgresStore {
    public func putReport(_ r: StoredReport) async throws(StoreError) {
        _ = try await rows(
            """
            INSERT INTO defender_reports (defender_id, kind, app_id, task_family, task_arn, container, image, time, body)
            VALUES (\(r.defenderID), \(r.kind), \(r.appID), \(r.taskFamily), \(r.taskARN), \(r.container), \(r.image), \(r.time), \(r.body))
            ON CONFLICT (defender_id, kind) DO UPDATE SET app_id = excluded.app_id, task_family = excluded.task_family,
            task_arn = excluded.task_arn, container = excluded.container, image = excluded.image, time = excluded.time,
            body = excluded.body
            """
        )
    }

    public func reports(kind: String) async throws(StoreError) -> [StoredReport] {
        let r = try await rows("SELECT * FROM defender_reports WHERE kind = \(kind) ORDER BY defender_id")
        return try decode {
            try r.map { row in
                StoredReport(
                    defenderID: try row["defender_id"].decode(String.self),
                    kind: try row["kind"].decode(String.self),
                    appID: try row["app_id"].decode(String.self),
                    taskFamily: try row["task_family"].decode(String.self),
                    taskARN: try row["task_arn"].decode(String.self),
                    container: try row["container"].decode(String.self),
                    image: try row["image"].decode(String.self),
                    time: try row["time"].decode(Int64.self),
                    body: try row["body"].decode(String.self)
                )
            }
        }
    }

    public func putAdvisories(_ advisories: [StoredAdvisory]) async throws(StoreError) {
        guard !advisories.isEmpty else { return }
        _ = try await rows(
            """
            INSERT INTO advisories (id, modified, ecosystem, package, body)
            SELECT * FROM unnest(\(advisories.map(\.id))::text[], \(advisories.map(\.modified))::text[],
                \(advisories.map(\.ecosystem))::text[], \(advisories.map(\.package))::text[], \(advisories.map(\.body))::text[])
            ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, ecosystem = excluded.ecosystem,
            package = excluded.package, body = excluded.body
            """
        )
    }

    public func deleteOrphanReports() async throws(StoreError) -> Int {
        try await rows("DELETE FROM defender_reports WHERE defender_id NOT IN (SELECT id FROM defenders) RETURNING 1").count
    }

    public func advisories() async throws(StoreError) -> [StoredAdvisory] {
        let r = try await rows("SELECT * FROM advisories ORDER BY id")
        return try decode {
            try r.map { row in
                StoredAdvisory(
                    id: try row["id"].decode(String.self),
                    modified: try row["modified"].decode(String.self),
                    ecosystem: try row["ecosystem"].decode(String.self),
                    package: try row["package"].decode(String.self),
                    body: try row["body"].decode(String.self)
                )
            }
        }
    }
}
