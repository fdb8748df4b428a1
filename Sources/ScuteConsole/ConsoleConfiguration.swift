/// Settings of `scute console`. Secrets (database URL password, admin password) are never logged.
public struct ConsoleConfiguration: Sendable {
    /// Holds the SQLite database, the CA and server certificates and keys. Created on first start (mode 0700).
    public var dataFolder: String
    /// `postgres://...` to use PostgreSQL (several replicas on one database); nil for the SQLite file.
    public var databaseURL: String?
    /// Address both servers bind to.
    public var host: String
    /// REST API, OpenAPI document, web UI, /health, /metrics.
    public var apiPort: Int
    /// The defender channel (WebSocket).
    public var channelPort: Int
    /// Names and addresses the server certificate is valid for.
    public var subjectAlternativeNames: [String]
    /// Plain HTTP and WS: local development only.
    public var insecureHTTP: Bool
    /// The first admin's password (SCUTE_ADMIN_PASSWORD); generated and printed once when nil.
    public var adminPassword: String?
    /// bcrypt work factor for user passwords.
    public var bcryptCost: UInt8
    /// How long a login token is valid, seconds.
    public var sessionLifetime: Int64
    /// How long a defender token from an install bundle is valid, seconds.
    public var defenderTokenLifetime: Int64
    /// Disconnected defenders are forgotten after this many seconds (setting `defenderExpirySeconds` overrides).
    public var defenderExpiry: Int64
    /// Audits older than this many days are deleted (setting `auditRetentionDays` overrides).
    public var auditRetentionDays: Int
    /// Largest accepted request body.
    public var maxBodyBytes: Int
    /// How often defenders send a heartbeat, seconds; a defender silent for three of these is disconnected.
    public var heartbeatSeconds: Int
    /// How often a replica checks the shared policy version (changes made on other replicas).
    public var policyPollMilliseconds: Int
    /// Failed logins allowed per user name within `loginWindowSeconds` before further attempts get 429.
    public var loginAttempts: Int
    /// Failed logins allowed per client address (whatever the user names) within `loginWindowSeconds`.
    public var loginAttemptsPerAddress: Int
    public var loginWindowSeconds: Int64
    /// Threads that check passwords (bcrypt), apart from those serving requests.
    public var passwordThreads: Int
    /// Password checks that may wait for those threads; more logins at once answer 503.
    public var maxQueuedPasswordChecks: Int
    /// A connection on either port that sends nothing for this long is closed, seconds (slow or stalled
    /// clients, unfinished TLS handshakes). WebSocket pings keep a live defender channel from idling.
    public var idleTimeoutSeconds: Int
    /// A defender that has not said `hello` this long after its channel opened is disconnected, seconds.
    public var helloTimeoutSeconds: Int
    /// How often the housekeeping (expiry, retention, stale defenders) runs, seconds.
    public var housekeepingSeconds: Int
    /// The defender bundle (`scute bundle` output) that `POST /defenders/app-embedded` puts beside the
    /// Dockerfile; that endpoint answers 503 without it.
    public var defenderBundlePath: String?

    public init(
        dataFolder: String,
        databaseURL: String? = nil,
        host: String = "0.0.0.0",
        apiPort: Int = 8083,
        channelPort: Int = 8084,
        subjectAlternativeNames: [String] = ["localhost", "127.0.0.1"],
        insecureHTTP: Bool = false,
        adminPassword: String? = nil,
        bcryptCost: UInt8 = 12,
        sessionLifetime: Int64 = 8 * 3600,
        defenderTokenLifetime: Int64 = 365 * 86400,
        defenderExpiry: Int64 = 3600,
        auditRetentionDays: Int = 30,
        maxBodyBytes: Int = 1 << 20,
        heartbeatSeconds: Int = 10,
        policyPollMilliseconds: Int = 1000,
        loginAttempts: Int = 5,
        loginAttemptsPerAddress: Int = 30,
        loginWindowSeconds: Int64 = 60,
        passwordThreads: Int = 1,
        maxQueuedPasswordChecks: Int = 32,
        idleTimeoutSeconds: Int = 60,
        helloTimeoutSeconds: Int = 10,
        housekeepingSeconds: Int = 30,
        defenderBundlePath: String? = nil
    ) {
        self.dataFolder = dataFolder
        self.databaseURL = databaseURL
        self.host = host
        self.apiPort = apiPort
        self.channelPort = channelPort
        self.subjectAlternativeNames = subjectAlternativeNames
        self.insecureHTTP = insecureHTTP
        self.adminPassword = adminPassword
        self.bcryptCost = bcryptCost
        self.sessionLifetime = sessionLifetime
        self.defenderTokenLifetime = defenderTokenLifetime
        self.defenderExpiry = defenderExpiry
        self.auditRetentionDays = auditRetentionDays
        self.maxBodyBytes = maxBodyBytes
        self.heartbeatSeconds = heartbeatSeconds
        self.policyPollMilliseconds = policyPollMilliseconds
        self.loginAttempts = loginAttempts
        self.loginAttemptsPerAddress = loginAttemptsPerAddress
        self.loginWindowSeconds = loginWindowSeconds
        self.passwordThreads = passwordThreads
        self.maxQueuedPasswordChecks = maxQueuedPasswordChecks
        self.idleTimeoutSeconds = idleTimeoutSeconds
        self.helloTimeoutSeconds = helloTimeoutSeconds
        self.housekeepingSeconds = housekeepingSeconds
        self.defenderBundlePath = defenderBundlePath
    }
}
