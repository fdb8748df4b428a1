import Logging
import ScuteCore
import ScuteStore
import ScuteUplink
import Synchronization

/// What the API, the channel and the background services share.
final class ConsoleCore: Sendable {
    let configuration: ConsoleConfiguration
    let store: any ScuteStore
    let signer: TokenSigner
    let certificates: ConsoleCertificates
    /// The server certificate of the moment, with its names (SANs can be added while the console runs).
    let identity: ServerIdentity
    let hub: ChannelHub
    let metrics: ConsoleMetrics
    let throttle: LoginThrottle
    let hasher: PasswordHasher
    let logger: Logger
    let runtime: ConsoleRuntime

    init(
        configuration: ConsoleConfiguration,
        store: any ScuteStore,
        signer: TokenSigner,
        certificates: ConsoleCertificates,
        identity: ServerIdentity,
        metrics: ConsoleMetrics,
        runtime: ConsoleRuntime,
        logger: Logger
    ) {
        self.configuration = configuration
        self.store = store
        self.signer = signer
        self.certificates = certificates
        self.identity = identity
        self.metrics = metrics
        self.hub = ChannelHub(metrics: metrics)
        self.throttle = LoginThrottle(
            limit: configuration.loginAttempts,
            addressLimit: configuration.loginAttemptsPerAddress,
            window: configuration.loginWindowSeconds
        )
        self.hasher = PasswordHasher(threads: configuration.passwordThreads, maxQueued: configuration.maxQueuedPasswordChecks)
        self.runtime = runtime
        self.logger = logger
    }

    /// Reloads rules and collections and pushes what changed to connected defenders.
    func refreshPolicy() async throws(StoreError) {
        let policy = try await store.runtimePolicy()
        let collections = try await store.collections()
        let compliance = ComplianceResolver(rules: try await store.complianceRules(), customChecks: try await store.customChecks())
        await hub.update(PolicyResolver(policy: policy, collections: collections, compliance: compliance))
    }

    /// The current rotation generation of defender tokens; older tokens are refused.
    func defenderTokenGeneration() async throws(StoreError) -> Int64 {
        Int64(try await store.setting(SettingKey.defenderTokenGeneration) ?? "0") ?? 0
    }

    /// A new install bundle for `consoleAddress` with a fresh defender token.
    /// Throws a `StoreError`, or the signer's error.
    func installBundle(consoleAddress: String) async throws -> InstallBundle {
        let generation = try await defenderTokenGeneration()
        let token = try await signer.sign(
            TokenSigner.Claims(
                kind: .defender,
                subject: "defender",
                role: "defender",
                expires: WallClock.milliseconds() / 1000 + configuration.defenderTokenLifetime,
                generation: generation
            )
        )
        return InstallBundle(consoleAddress: consoleAddress, caCertificatePEM: certificates.caCertificatePEM, token: token)
    }

    /// The channel address defenders use by default: the first SAN and the channel port.
    var defaultConsoleAddress: String {
        let host = identity.subjectAlternativeNames.first ?? "localhost"
        let port = runtime.channelPort ?? configuration.channelPort
        let h = host.contains(":") ? "[\(host)]" : host
        return "\(configuration.insecureHTTP ? "ws" : "wss")://\(h):\(port)"
    }

    /// Ends the login session of `token` on every replica (logging out); other tokens are left alone.
    func endSession(token: String) async throws(StoreError) {
        guard let claims = await signer.verify(token), claims.kind == .user else { return }
        try await store.endSession(tokenHash: Secrets.sha256Hex(token), expiresAt: claims.expires * 1000, now: WallClock.milliseconds())
    }

    /// Resolves a bearer token (login token or API token) to an identity; nil when it is not valid.
    func authenticate(bearer token: String) async throws(StoreError) -> Identity? {
        let now = WallClock.milliseconds()
        if token.hasPrefix(APITokenFormat.prefix) {
            guard let (id, secret) = APITokenFormat.split(token), let stored = try await store.apiToken(id: id) else { return nil }
            guard Secrets.constantTimeEqual(Secrets.sha256Hex(secret), stored.secretHash) else { return nil }
            if let expires = stored.expiresAt, expires <= now { return nil }
            // The token never does more than its user may now: a demoted user's tokens are demoted too.
            guard let user = try await store.user(named: stored.userName) else { return nil }
            return Identity(name: stored.userName, role: min(stored.role, user.role), source: .apiToken)
        }
        // A login token (JWT); a defender's token is no API credential.
        guard let claims = await signer.verify(token), claims.kind == .user else { return nil }
        // The user must still exist, and the session must be of their current generation (a password change
        // or a demotion ends it); their current role applies.
        guard let user = try await store.user(named: claims.subject), claims.generation == user.sessionGeneration else { return nil }
        // Logging out ends the session for good, however many copies of the token are about.
        guard try await !store.isSessionEnded(tokenHash: Secrets.sha256Hex(token)) else { return nil }
        return Identity(name: user.name, role: user.role, source: .session)
    }
}

/// Keys of the settings table the console uses.
enum SettingKey {
    static let defenderTokenGeneration = "defenderTokenGeneration"
    static let defenderExpirySeconds = "defenderExpirySeconds"
    static let auditRetentionDays = "auditRetentionDays"
    /// Changes whenever the held advisories change (any replica's import): cached matchers are rebuilt.
    static let advisoriesGeneration = "advisoriesGeneration"
    /// Settings clients may read and change through the API, with their checks.
    static let editable: [String: ClosedRange<Int>] = [
        defenderExpirySeconds: 60...(90 * 86400),
        auditRetentionDays: 1...3650,
    ]
}

/// API tokens look like `scute_<id>.<secret>`; the store keeps the id and the secret's SHA-256.
enum APITokenFormat {
    static let prefix = "scute_"

    static func make(id: String, secret: String) -> String { "\(prefix)\(id).\(secret)" }

    static func split(_ token: String) -> (String, String)? {
        let body = token.dropFirst(prefix.count)
        guard let dot = body.firstIndex(of: ".") else { return nil }
        let id = String(body[..<dot])
        let secret = String(body[body.index(after: dot)...])
        guard !id.isEmpty, !secret.isEmpty else { return nil }
        return (id, secret)
    }
}

/// Facts known once the servers run (the ports they bound), for the CLI and tests.
public final class ConsoleRuntime: Sendable {
    private struct State {
        var apiPort: Int?
        var channelPort: Int?
        var generatedAdminPassword: String?
    }

    private let state = Mutex(State())

    public init() {}

    /// The port the channel server listens on, once it runs.
    public var channelPort: Int? { state.withLock { $0.channelPort } }
    public var apiPort: Int? { state.withLock { $0.apiPort } }
    /// The admin password generated at first start (nil when SCUTE_ADMIN_PASSWORD gave it, or not first start).
    public var generatedAdminPassword: String? { state.withLock { $0.generatedAdminPassword } }

    func setChannelPort(_ port: Int?) { state.withLock { $0.channelPort = port } }
    func setAPIPort(_ port: Int?) { state.withLock { $0.apiPort = port } }
    func setGeneratedAdminPassword(_ password: String) { state.withLock { $0.generatedAdminPassword = password } }

    /// Waits (up to `timeout`) for the channel server to be listening; returns its port.
    public func waitForChannelPort(timeout: Duration = .seconds(10)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = channelPort { return port }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw ConsoleError.setup("the channel server did not start")
    }
}
