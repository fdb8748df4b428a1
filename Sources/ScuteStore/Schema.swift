/// The versioned schema: migrations run in order, each once, recorded in the database.
/// Never edit a released migration; add the next one.
enum Schema {
    struct Migration {
        let version: Int
        let name: String
        let sqlite: [String]
        let postgres: [String]
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "initial", sqlite: initial(bigint: "INTEGER"), postgres: initial(bigint: "BIGINT")),
        Migration(
            version: 2,
            name: "audit indexes",
            sqlite: auditIndexes,
            postgres: auditIndexes
        ),
        Migration(version: 3, name: "sessions and enrollment", sqlite: enrollment(bigint: "INTEGER"), postgres: enrollment(bigint: "BIGINT")),
        Migration(version: 4, name: "defender reports and advisories", sqlite: reports(bigint: "INTEGER"), postgres: reports(bigint: "BIGINT")),
        Migration(version: 5, name: "audit tasks and ended sessions", sqlite: auditTasks(bigint: "INTEGER"), postgres: auditTasks(bigint: "BIGINT")),
        Migration(
            version: 6,
            name: "compliance rules and custom checks",
            sqlite: compliance(bigint: "INTEGER"),
            postgres: compliance(bigint: "BIGINT")
        ),
        Migration(version: 7, name: "collection task IDs", sqlite: collectionTaskIDs, postgres: collectionTaskIDs),
    ]

    private static func initial(bigint: String) -> [String] {
        [
            """
            CREATE TABLE users (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, role TEXT NOT NULL,
                created_at \(bigint) NOT NULL)
            """,
            """
            CREATE TABLE api_tokens (id TEXT PRIMARY KEY, name TEXT NOT NULL, user_name TEXT NOT NULL, role TEXT NOT NULL,
                secret_hash TEXT NOT NULL, created_at \(bigint) NOT NULL, expires_at \(bigint))
            """,
            """
            CREATE TABLE collections (name TEXT PRIMARY KEY, description TEXT NOT NULL, app_ids TEXT NOT NULL,
                images TEXT NOT NULL, containers TEXT NOT NULL, task_families TEXT NOT NULL, updated_at \(bigint) NOT NULL)
            """,
            """
            CREATE TABLE runtime_rules (name TEXT PRIMARY KEY, position INTEGER NOT NULL, body TEXT NOT NULL,
                updated_at \(bigint) NOT NULL)
            """,
            "CREATE TABLE policy_version (id INTEGER PRIMARY KEY CHECK (id = 1), version \(bigint) NOT NULL)",
            "INSERT INTO policy_version (id, version) VALUES (1, 0)",
            """
            CREATE TABLE defenders (id TEXT PRIMARY KEY, app_id TEXT NOT NULL, task_family TEXT NOT NULL, task_arn TEXT NOT NULL,
                container TEXT NOT NULL, image TEXT NOT NULL, version TEXT NOT NULL, connected INTEGER NOT NULL,
                since \(bigint) NOT NULL, last_seen \(bigint) NOT NULL, revoked INTEGER NOT NULL)
            """,
            """
            CREATE TABLE audits (id TEXT PRIMARY KEY, time \(bigint) NOT NULL, defender_id TEXT NOT NULL, app_id TEXT NOT NULL,
                container TEXT NOT NULL, type TEXT NOT NULL, effect TEXT NOT NULL, rule TEXT NOT NULL,
                attack_type TEXT NOT NULL, body TEXT NOT NULL)
            """,
            "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ]
    }

    /// Login sessions end when a user's password changes or their role is lowered (`session_generation`);
    /// a defender enrolled with an install bundle holds a credential of its own (`credential_hash`) and
    /// remembers which bundle enrolled it (`enrollment_id`), whose further enrollments stop when it is revoked.
    private static func enrollment(bigint: String) -> [String] {
        [
            "ALTER TABLE users ADD COLUMN session_generation \(bigint) NOT NULL DEFAULT 0",
            "ALTER TABLE defenders ADD COLUMN credential_hash TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE defenders ADD COLUMN enrollment_id TEXT NOT NULL DEFAULT ''",
            "CREATE TABLE blocked_enrollments (id TEXT PRIMARY KEY, defender_id TEXT NOT NULL, blocked_at \(bigint) NOT NULL)",
        ]
    }

    /// The latest report of each kind per defender (`compliance`, `inventory`, and the `vulnerabilities`
    /// the console matched for its inventory), and the OSV advisories the console imported.
    private static func reports(bigint: String) -> [String] {
        [
            """
            CREATE TABLE defender_reports (defender_id TEXT NOT NULL, kind TEXT NOT NULL, app_id TEXT NOT NULL,
                task_family TEXT NOT NULL, task_arn TEXT NOT NULL, container TEXT NOT NULL, image TEXT NOT NULL,
                time \(bigint) NOT NULL, body TEXT NOT NULL, PRIMARY KEY (defender_id, kind))
            """,
            """
            CREATE TABLE advisories (id TEXT PRIMARY KEY, modified TEXT NOT NULL, ecosystem TEXT NOT NULL,
                package TEXT NOT NULL, body TEXT NOT NULL)
            """,
        ]
    }

    /// The task of the channel an audit came over (filtered on by family, ID or ARN), and login sessions
    /// ended by logging out (the token's SHA-256 until the token would have expired anyway).
    private static func auditTasks(bigint: String) -> [String] {
        [
            "ALTER TABLE audits ADD COLUMN task_family TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE audits ADD COLUMN task_arn TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE audits ADD COLUMN task_id TEXT NOT NULL DEFAULT ''",
            "CREATE TABLE ended_sessions (token_hash TEXT PRIMARY KEY, expires_at \(bigint) NOT NULL)",
        ]
    }

    /// Custom checks (ids from 9000, never reused: `custom_check_ids` holds the next one) and the ordered
    /// compliance rules (`collections` and `checks` as JSON).
    private static func compliance(bigint: String) -> [String] {
        [
            """
            CREATE TABLE custom_checks (id \(bigint) PRIMARY KEY, name TEXT NOT NULL, script TEXT NOT NULL, severity TEXT NOT NULL,
                timeout_seconds INTEGER NOT NULL, updated_at \(bigint) NOT NULL)
            """,
            "CREATE TABLE custom_check_ids (id INTEGER PRIMARY KEY CHECK (id = 1), next_id \(bigint) NOT NULL)",
            "INSERT INTO custom_check_ids (id, next_id) VALUES (1, 9000)",
            """
            CREATE TABLE compliance_rules (name TEXT PRIMARY KEY, position INTEGER NOT NULL, collections TEXT NOT NULL,
                checks TEXT NOT NULL, updated_at \(bigint) NOT NULL)
            """,
        ]
    }

    /// Collections match task IDs too; collections stored before match every task ID (an empty list).
    private static let collectionTaskIDs = [
        "ALTER TABLE collections ADD COLUMN task_ids TEXT NOT NULL DEFAULT '[]'"
    ]

    private static let auditIndexes = [
        "CREATE INDEX audits_time ON audits (time)",
        "CREATE INDEX audits_app_time ON audits (app_id, time)",
    ]
}

/// JSON text for the string lists stored in one column.
enum StringList {
    static func encode(_ values: [String]) -> String {
        JSONValueBridge.encode(values)
    }

    static func decode(_ text: String) -> [String] {
        JSONValueBridge.decode(text)
    }
}
