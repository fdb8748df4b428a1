import GRDB
import Logging
import ScuteCore

/// The embedded store: one SQLite file in WAL mode (readers never wait for the writer), through GRDB.
public final class SQLiteStore: ScuteStore {
    private let writer: any DatabaseWriter
    private let logger: Logger

    /// Opens (creating when missing) the database file at `path`.
    public init(path: String, logger: Logger) throws(StoreError) {
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
        do {
            // DatabasePool puts the file in WAL mode, with synchronous = NORMAL, which can lose the last
            // transactions on a power cut. An acknowledged audit must survive one: FULL on the writer.
            let pool = try DatabasePool(path: path, configuration: config)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            self.writer = pool
        } catch {
            logger.error("sqlite.open.failed", metadata: ["error": "\(String(describing: error))"])
            throw .unavailable("the database file cannot be opened")
        }
        self.logger = logger
    }

    /// An in-memory database, for tests and tools.
    public init(inMemoryWith logger: Logger) throws(StoreError) {
        do {
            self.writer = try DatabaseQueue()
        } catch {
            throw .unavailable("cannot create an in-memory database")
        }
        self.logger = logger
    }

    /// The SQLite journal mode in use (`wal` for a file store).
    public func journalMode() async throws(StoreError) -> String {
        try await read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }

    /// The writer's `synchronous` level (2 = FULL: a commit is on disk when it returns).
    public func synchronousLevel() async throws(StoreError) -> Int {
        try await write { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    public func migrate() async throws(StoreError) {
        var migrator = DatabaseMigrator()
        for m in Schema.migrations {
            migrator.registerMigration(Self.migrationID(m)) { db in
                for sql in m.sqlite { try db.execute(sql: sql) }
            }
        }
        do {
            try migrator.migrate(writer)
        } catch {
            logger.error("sqlite.migrate.failed", metadata: ["error": "\(String(describing: error))"])
            throw .unavailable("database migration failed")
        }
    }

    /// Runs statements in one transaction; for tests that shape a database as an older build left it.
    func execute(unsafeSQL statements: [String]) async throws(StoreError) {
        try await write { db in
            for sql in statements { try db.execute(sql: sql) }
        }
    }

    static func migrationID(_ m: Schema.Migration) -> String {
        let v = String(m.version)
        return String(repeating: "0", count: max(0, 3 - v.count)) + v + "-" + m.name
    }

    // MARK: - Access helpers

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.read(body)
        } catch let error as StoreError {
            throw error
        } catch {
            logger.error("sqlite.read.failed", metadata: ["error": "\(String(describing: error))"])
            throw .unavailable("database read failed")
        }
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await writer.write(body)
        } catch let error as StoreError {
            throw error
        } catch {
            logger.error("sqlite.write.failed", metadata: ["error": "\(String(describing: error))"])
            throw .unavailable("database write failed")
        }
    }

    private static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
            || (error as? DatabaseError)?.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
    }

    private func insert(_ sql: String, _ arguments: StatementArguments, conflict: String) async throws(StoreError) {
        try await write { db in
            do {
                try db.execute(sql: sql, arguments: arguments)
            } catch  where Self.isUniqueViolation(error) {
                throw StoreError.conflict(conflict)
            }
        }
    }

    // MARK: - Users

    public func createUser(_ user: User) async throws(StoreError) {
        try await insert(
            "INSERT INTO users (name, password_hash, role, created_at, session_generation) VALUES (?, ?, ?, ?, ?)",
            [user.name, user.passwordHash, user.role.rawValue, user.createdAt, user.sessionGeneration],
            conflict: "user \(user.name) already exists"
        )
    }

    public func user(named name: String) async throws(StoreError) -> User? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM users WHERE name = ?", arguments: [name]).map(Self.user) }
    }

    public func users() async throws(StoreError) -> [User] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM users ORDER BY name").map(Self.user) }
    }

    public func updateUser(_ user: User) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE users SET password_hash = ?, role = ?, session_generation = ? WHERE name = ?",
                arguments: [user.passwordHash, user.role.rawValue, user.sessionGeneration, user.name]
            )
            if db.changesCount == 0 { throw StoreError.notFound("no user \(user.name)") }
        }
    }

    public func deleteUser(named name: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM users WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    private static func user(_ row: Row) -> User {
        User(
            name: row["name"],
            passwordHash: row["password_hash"],
            role: Role(rawValue: row["role"]) ?? .auditor,
            createdAt: row["created_at"],
            sessionGeneration: row["session_generation"]
        )
    }

    // MARK: - API tokens

    public func createAPIToken(_ token: APIToken) async throws(StoreError) {
        try await insert(
            "INSERT INTO api_tokens (id, name, user_name, role, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [token.id, token.name, token.userName, token.role.rawValue, token.secretHash, token.createdAt, token.expiresAt],
            conflict: "token \(token.id) already exists"
        )
    }

    public func apiToken(id: String) async throws(StoreError) -> APIToken? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM api_tokens WHERE id = ?", arguments: [id]).map(Self.token) }
    }

    public func apiTokens() async throws(StoreError) -> [APIToken] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM api_tokens ORDER BY created_at, id").map(Self.token) }
    }

    public func deleteAPIToken(id: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM api_tokens WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func endSession(tokenHash: String, expiresAt: Int64, now: Int64) async throws(StoreError) {
        try await write { db in
            try db.execute(sql: "DELETE FROM ended_sessions WHERE expires_at < ?", arguments: [now])
            try db.execute(
                sql: "INSERT INTO ended_sessions (token_hash, expires_at) VALUES (?, ?) ON CONFLICT (token_hash) DO NOTHING",
                arguments: [tokenHash, expiresAt]
            )
        }
    }

    public func isSessionEnded(tokenHash: String) async throws(StoreError) -> Bool {
        try await read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM ended_sessions WHERE token_hash = ?", arguments: [tokenHash]) ?? false
        }
    }

    private static func token(_ row: Row) -> APIToken {
        APIToken(
            id: row["id"],
            name: row["name"],
            userName: row["user_name"],
            role: Role(rawValue: row["role"]) ?? .auditor,
            secretHash: row["secret_hash"],
            createdAt: row["created_at"],
            expiresAt: row["expires_at"]
        )
    }

    // MARK: - Collections

    // Collections change what rules match, so every collection change bumps the policy version too.
    public func createCollection(_ c: StoredCollection) async throws(StoreError) {
        try await write { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO collections (name, description, app_ids, images, containers, task_families, task_ids, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: Self.collectionArguments(c)
                )
            } catch  where Self.isUniqueViolation(error) {
                throw StoreError.conflict("collection \(c.name) already exists")
            }
            _ = try Self.bumpVersion(db)
        }
    }

    public func updateCollection(_ c: StoredCollection) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE collections SET description = ?, app_ids = ?, images = ?, containers = ?, task_families = ?, task_ids = ?,
                        updated_at = ?
                    WHERE name = ?
                    """,
                arguments: [
                    c.description, StringList.encode(c.appIDs), StringList.encode(c.images), StringList.encode(c.containers),
                    StringList.encode(c.taskFamilies), StringList.encode(c.taskIDs), c.updatedAt, c.name,
                ]
            )
            if db.changesCount == 0 { throw StoreError.notFound("no collection \(c.name)") }
            _ = try Self.bumpVersion(db)
        }
    }

    public func collection(named name: String) async throws(StoreError) -> StoredCollection? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM collections WHERE name = ?", arguments: [name]).map(Self.collection)
        }
    }

    public func collections() async throws(StoreError) -> [StoredCollection] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM collections ORDER BY name").map(Self.collection) }
    }

    public func deleteCollection(named name: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM collections WHERE name = ?", arguments: [name])
            guard db.changesCount > 0 else { return false }
            _ = try Self.bumpVersion(db)
            return true
        }
    }

    private static func collectionArguments(_ c: StoredCollection) -> StatementArguments {
        [
            c.name, c.description, StringList.encode(c.appIDs), StringList.encode(c.images), StringList.encode(c.containers),
            StringList.encode(c.taskFamilies), StringList.encode(c.taskIDs), c.updatedAt,
        ]
    }

    private static func collection(_ row: Row) -> StoredCollection {
        StoredCollection(
            name: row["name"],
            description: row["description"],
            appIDs: StringList.decode(row["app_ids"]),
            images: StringList.decode(row["images"]),
            containers: StringList.decode(row["containers"]),
            taskFamilies: StringList.decode(row["task_families"]),
            taskIDs: StringList.decode(row["task_ids"]),
            updatedAt: row["updated_at"]
        )
    }

    // MARK: - Runtime rules

    public func runtimePolicy() async throws(StoreError) -> RuntimePolicy {
        try await read { db in
            let version = try Int64.fetchOne(db, sql: "SELECT version FROM policy_version WHERE id = 1") ?? 0
            let rules = try Row.fetchAll(db, sql: "SELECT * FROM runtime_rules ORDER BY position, name").map { row in
                RuntimeRule(name: row["name"], body: JSONValueBridge.parse(row["body"]), updatedAt: row["updated_at"])
            }
            return RuntimePolicy(version: version, rules: rules)
        }
    }

    public func policyVersion() async throws(StoreError) -> Int64 {
        try await read { db in try Int64.fetchOne(db, sql: "SELECT version FROM policy_version WHERE id = 1") ?? 0 }
    }

    static func bumpVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "UPDATE policy_version SET version = version + 1 WHERE id = 1 RETURNING version") ?? 0
    }

    public func createRule(_ rule: RuntimeRule, at position: Int?) async throws(StoreError) -> Int64 {
        try await write { db in
            let names = try String.fetchAll(db, sql: "SELECT name FROM runtime_rules ORDER BY position, name")
            if names.contains(rule.name) { throw StoreError.conflict("rule \(rule.name) already exists") }
            var order = names
            order.insert(rule.name, at: min(max(position ?? names.count, 0), names.count))
            try db.execute(
                sql: "INSERT INTO runtime_rules (name, position, body, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [rule.name, -1, rule.body.serialized(.compact), rule.updatedAt]
            )
            for (i, name) in order.enumerated() {
                try db.execute(sql: "UPDATE runtime_rules SET position = ? WHERE name = ?", arguments: [i, name])
            }
            return try Self.bumpVersion(db)
        }
    }

    public func updateRule(_ rule: RuntimeRule) async throws(StoreError) -> Int64 {
        try await write { db in
            try db.execute(
                sql: "UPDATE runtime_rules SET body = ?, updated_at = ? WHERE name = ?",
                arguments: [rule.body.serialized(.compact), rule.updatedAt, rule.name]
            )
            if db.changesCount == 0 { throw StoreError.notFound("no rule \(rule.name)") }
            return try Self.bumpVersion(db)
        }
    }

    public func deleteRule(named name: String) async throws(StoreError) -> Int64 {
        try await write { db in
            try db.execute(sql: "DELETE FROM runtime_rules WHERE name = ?", arguments: [name])
            if db.changesCount == 0 { throw StoreError.notFound("no rule \(name)") }
            return try Self.bumpVersion(db)
        }
    }

    public func reorderRules(_ names: [String]) async throws(StoreError) -> Int64 {
        try await write { db in
            let existing = try String.fetchAll(db, sql: "SELECT name FROM runtime_rules")
            try RuleOrder.check(names, existing: existing)
            for (i, name) in names.enumerated() {
                try db.execute(sql: "UPDATE runtime_rules SET position = ? WHERE name = ?", arguments: [i, name])
            }
            return try Self.bumpVersion(db)
        }
    }

    // MARK: - Defenders

    public func defenderConnected(_ d: DefenderRecord, at time: Int64) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO defenders (id, app_id, task_family, task_arn, container, image, version, connected, since, last_seen, revoked,
                        enrollment_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 0, ?)
                    ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id, task_family = excluded.task_family,
                        task_arn = excluded.task_arn, container = excluded.container, image = excluded.image,
                        version = excluded.version, connected = 1, since = excluded.since, last_seen = excluded.last_seen,
                        enrollment_id = CASE WHEN defenders.enrollment_id = '' THEN excluded.enrollment_id ELSE defenders.enrollment_id END
                    """,
                arguments: [d.id, d.appID, d.taskFamily, d.taskARN, d.container, d.image, d.version, time, time, d.enrollmentID]
            )
        }
    }

    public func defenderDisconnected(id: String, at time: Int64) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "UPDATE defenders SET connected = 0, since = ?, last_seen = ? WHERE id = ? AND connected = 1",
                arguments: [time, time, id]
            )
        }
    }

    public func defendersSeen(ids: [String], at time: Int64) async throws(StoreError) {
        guard !ids.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: "UPDATE defenders SET last_seen = ? WHERE id = ?")
            for id in ids { try statement.execute(arguments: [time, id]) }
        }
    }

    public func defender(id: String) async throws(StoreError) -> DefenderRecord? {
        try await read { db in try Row.fetchOne(db, sql: "SELECT * FROM defenders WHERE id = ?", arguments: [id]).map(Self.defender) }
    }

    public func defenders() async throws(StoreError) -> [DefenderRecord] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM defenders ORDER BY app_id, id").map(Self.defender) }
    }

    public func revokeDefender(id: String, at time: Int64) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE defenders SET revoked = 1, since = CASE WHEN connected = 1 THEN ? ELSE since END, connected = 0
                    WHERE id = ?
                    """,
                arguments: [time, id]
            )
            return db.changesCount > 0
        }
    }

    public func deleteDefender(id: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM defenders WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func markStaleDefenders(lastSeenBefore: Int64) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(
                sql: "UPDATE defenders SET connected = 0, since = last_seen WHERE connected = 1 AND last_seen < ?",
                arguments: [lastSeenBefore]
            )
            return db.changesCount
        }
    }

    public func expireDefenders(disconnectedBefore: Int64) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(
                sql: "DELETE FROM defenders WHERE connected = 0 AND revoked = 0 AND since < ?",
                arguments: [disconnectedBefore]
            )
            return db.changesCount
        }
    }

    public func enrollDefender(_ d: DefenderRecord, credentialHash: String, at time: Int64) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO defenders (id, app_id, task_family, task_arn, container, image, version, connected, since, last_seen, revoked,
                        credential_hash, enrollment_id)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, 0, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET app_id = excluded.app_id, task_family = excluded.task_family,
                        task_arn = excluded.task_arn, container = excluded.container, image = excluded.image,
                        version = excluded.version, connected = 1, since = excluded.since, last_seen = excluded.last_seen,
                        credential_hash = excluded.credential_hash, enrollment_id = excluded.enrollment_id
                    WHERE defenders.credential_hash = '' AND defenders.revoked = 0
                    """,
                arguments: [d.id, d.appID, d.taskFamily, d.taskARN, d.container, d.image, d.version, time, time, credentialHash, d.enrollmentID]
            )
            return db.changesCount > 0
        }
    }

    public func blockEnrollment(id: String, defenderID: String, at time: Int64) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO blocked_enrollments (id, defender_id, blocked_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                arguments: [id, defenderID, time]
            )
        }
    }

    public func isEnrollmentBlocked(id: String) async throws(StoreError) -> Bool {
        try await read { db in try Bool.fetchOne(db, sql: "SELECT 1 FROM blocked_enrollments WHERE id = ?", arguments: [id]) ?? false }
    }

    public func swapDefenderCredential(id: String, expected: String, new: String) async throws(StoreError) -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE defenders SET credential_hash = ? WHERE id = ? AND credential_hash = ? AND revoked = 0",
                arguments: [new, id, expected]
            )
            return db.changesCount > 0
        }
    }

    public func revokeDefenderCredentials() async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "UPDATE defenders SET credential_hash = '' WHERE credential_hash <> ''")
            return db.changesCount
        }
    }

    private static func defender(_ row: Row) -> DefenderRecord {
        DefenderRecord(
            id: row["id"],
            appID: row["app_id"],
            taskFamily: row["task_family"],
            taskARN: row["task_arn"],
            container: row["container"],
            image: row["image"],
            version: row["version"],
            connected: (row["connected"] as Int64) != 0,
            since: row["since"],
            lastSeen: row["last_seen"],
            revoked: (row["revoked"] as Int64) != 0,
            credentialHash: row["credential_hash"],
            enrollmentID: row["enrollment_id"]
        )
    }

    // MARK: - Audits

    public func insertAudits(_ audits: [StoredAudit]) async throws(StoreError) -> Int {
        guard !audits.isEmpty else { return 0 }
        return try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO audits (id, time, defender_id, app_id, container, type, effect, rule, attack_type,
                        task_family, task_arn, task_id, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                    """
            )
            var inserted = 0
            for a in audits {
                try statement.execute(arguments: [
                    a.id, a.time, a.defenderID, a.appID, a.container, a.type, a.effect, a.rule, a.attackType,
                    a.taskFamily, a.taskARN, a.taskID, a.body,
                ])
                inserted += db.changesCount
            }
            return inserted
        }
    }

    public func audits(_ query: AuditQuery) async throws(StoreError) -> AuditPage {
        var clauses: [String] = []
        var arguments = StatementArguments()
        if let from = query.from {
            clauses.append("time >= ?")
            _ = arguments.append(contentsOf: [from])
        }
        if let to = query.to {
            clauses.append("time < ?")
            _ = arguments.append(contentsOf: [to])
        }
        for (column, value) in query.equalityFilters {
            clauses.append("\(column) = ?")
            _ = arguments.append(contentsOf: [value])
        }
        if let task = query.taskClause({ _ in "?" }) {
            clauses.append(task.sql)
            _ = arguments.append(contentsOf: StatementArguments(task.values))
        }
        let whereSQL = clauses.isEmpty ? "" : " WHERE " + clauses.joined(separator: " AND ")
        let order = query.newestFirst ? "time DESC, id DESC" : "time ASC, id ASC"
        let countArguments = arguments
        var paged = arguments
        _ = paged.append(contentsOf: [query.limit, query.offset])
        let pageArguments = paged
        return try await read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audits" + whereSQL, arguments: countArguments) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT * FROM audits\(whereSQL) ORDER BY \(order) LIMIT ? OFFSET ?",
                arguments: pageArguments
            )
            return AuditPage(total: total, items: rows.map(Self.audit))
        }
    }

    public func deleteAudits(before time: Int64) async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM audits WHERE time < ?", arguments: [time])
            return db.changesCount
        }
    }

    private static func audit(_ row: Row) -> StoredAudit {
        StoredAudit(
            id: row["id"],
            time: row["time"],
            defenderID: row["defender_id"],
            appID: row["app_id"],
            container: row["container"],
            type: row["type"],
            effect: row["effect"],
            rule: row["rule"],
            attackType: row["attack_type"],
            taskFamily: row["task_family"],
            taskARN: row["task_arn"],
            body: row["body"]
        )
    }

    // MARK: - Settings

    public func setting(_ key: String) async throws(StoreError) -> String? {
        try await read { db in try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key]) }
    }

    public func setSetting(_ key: String, _ value: String) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                arguments: [key, value]
            )
        }
    }

    public func settings() async throws(StoreError) -> [String: String] {
        try await read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM settings") { out[row["key"]] = row["value"] as String }
            return out
        }
    }
}

/// Checks a requested rule order against the stored rules.
enum RuleOrder {
    static func check(_ names: [String], existing: [String]) throws(StoreError) {
        var seen = Set<String>()
        for name in names where !seen.insert(name).inserted {
            throw StoreError.invalid("rule \(name) appears twice in the new order")
        }
        let known = Set(existing)
        if let unknown = names.first(where: { !known.contains($0) }) { throw StoreError.notFound("no rule \(unknown)") }
        if let missing = existing.sorted().first(where: { !seen.contains($0) }) {
            throw StoreError.invalid("the new order leaves out rule \(missing)")
        }
    }
}

// MARK: - Reports and advisories

extension SQLiteStore {
    public func putReport(_ r: StoredReport) async throws(StoreError) {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO defender_reports (defender_id, kind, app_id, task_family, task_arn, container, image, time, body)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (defender_id, kind) DO UPDATE SET app_id = excluded.app_id,
                    task_family = excluded.task_family, task_arn = excluded.task_arn, container = excluded.container,
                    image = excluded.image, time = excluded.time, body = excluded.body
                    """,
                arguments: [r.defenderID, r.kind, r.appID, r.taskFamily, r.taskARN, r.container, r.image, r.time, r.body]
            )
        }
    }

    public func reports(kind: String) async throws(StoreError) -> [StoredReport] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM defender_reports WHERE kind = ? ORDER BY defender_id", arguments: [kind]).map { row in
                StoredReport(
                    defenderID: row["defender_id"],
                    kind: row["kind"],
                    appID: row["app_id"],
                    taskFamily: row["task_family"],
                    taskARN: row["task_arn"],
                    container: row["container"],
                    image: row["image"],
                    time: row["time"],
                    body: row["body"]
                )
            }
        }
    }

    public func putAdvisories(_ advisories: [StoredAdvisory]) async throws(StoreError) {
        guard !advisories.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: """
                    INSERT INTO advisories (id, modified, ecosystem, package, body) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (id) DO UPDATE SET modified = excluded.modified, ecosystem = excluded.ecosystem,
                    package = excluded.package, body = excluded.body
                    """
            )
            for a in advisories { try statement.execute(arguments: [a.id, a.modified, a.ecosystem, a.package, a.body]) }
        }
    }

    public func deleteOrphanReports() async throws(StoreError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM defender_reports WHERE defender_id NOT IN (SELECT id FROM defenders)")
            return db.changesCount
        }
    }

    public func advisories() async throws(StoreError) -> [StoredAdvisory] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM advisories ORDER BY id").map { row in
                StoredAdvisory(id: row["id"], modified: row["modified"], ecosystem: row["ecosystem"], package: row["package"], body: row["body"])
            }
        }
    }
}
