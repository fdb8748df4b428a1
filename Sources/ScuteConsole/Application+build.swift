import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOSSL
import ScuteCore
import ScuteStore
import ServiceLifecycle

/// Builds the console: the API application on `apiPort`, which also runs the channel server on
/// `channelPort`, the store (PostgreSQL pool) and the background services in its ServiceGroup.
/// Graceful shutdown stops the API server first, then the channel, then the store.
///
/// - Parameters:
///   - store: a store to use instead of the one `configuration` names (tests).
///   - runtime: receives the bound ports and a generated admin password.
///   - announce: prints what an operator must see once (a generated admin password, the login URL).
public func buildApplication(
    configuration: ConsoleConfiguration,
    store injected: (any ScuteStore)? = nil,
    runtime: ConsoleRuntime = ConsoleRuntime(),
    logger: Logger,
    announce: @escaping @Sendable (String) -> Void = { print($0) }
) async throws -> some ApplicationProtocol {
    if let password = configuration.adminPassword, let problem = PasswordRules.problem(password) {
        throw ConsoleError.configuration("SCUTE_ADMIN_PASSWORD: \(problem) (the rule the API applies to every password)")
    }
    let folder = DataFolder(path: configuration.dataFolder)
    try folder.create()
    let certificates = try folder.certificates(subjectAlternativeNames: configuration.subjectAlternativeNames, logger: logger)
    // Names added through the API since (`POST /settings/sans`) are in the server certificate already.
    let added = ServerIdentity.addedNames(in: folder).filter { !configuration.subjectAlternativeNames.contains($0) }
    let identity = try ServerIdentity(folder: folder, names: configuration.subjectAlternativeNames + added, certificates: certificates)
    let signingKey = try folder.tokenSigningKey()

    var services: [any Service] = []
    let store: any ScuteStore
    if let injected {
        store = injected
        // A PostgreSQL store's pool runs as a service.
        if let service = injected as? any Service { services.append(service) }
    } else if let url = configuration.databaseURL {
        let postgres = try PostgresStore(url: url, logger: logger)
        services.append(postgres)
        store = postgres
    } else {
        try folder.secureDatabaseFiles()
        store = try SQLiteStore(path: folder.databasePath, logger: logger)
        // The WAL and shared-memory files appear on opening; they hold the same data.
        try folder.secureDatabaseFiles()
    }

    let core = ConsoleCore(
        configuration: configuration,
        store: store,
        signer: await TokenSigner(keyBytes: signingKey),
        certificates: certificates,
        identity: identity,
        metrics: ConsoleMetrics(),
        runtime: runtime,
        logger: logger
    )

    let tls: TLSConfiguration? = configuration.insecureHTTP ? nil : try serverTLS(certificates, identity: identity)
    if configuration.insecureHTTP {
        logger.warning("console.insecure_http", metadata: ["hint": "plain HTTP and WS: for local development only"])
    }

    // The channel server: its own application, run as a service of the API application. A connection that
    // sends nothing (no TLS handshake, no upgrade, no pong to the pings) is closed after the idle timeout.
    let channelRouter = ChannelServer(core: core).router()
    let wsConfiguration = WebSocketServerConfiguration(
        maxFrameSize: configuration.maxBodyBytes,
        autoPing: .enabled(timePeriod: .seconds(Int64(configuration.heartbeatSeconds)))
    )
    let idle = TimeAmount.seconds(Int64(max(configuration.idleTimeoutSeconds, 3 * configuration.heartbeatSeconds)))
    let channelResponder = channelRouter.buildResponder()
    let wsServer = HTTPServerBuilder { responder in
        let upgrade = HTTP1WebSocketUpgradeChannel(
            responder: responder,
            webSocketResponder: channelResponder,
            configuration: .init(http1: .init(idleTimeout: idle), ws: wsConfiguration)
        )
        guard let tls else { return IdleConnectionChannel(base: upgrade, readTimeout: idle) }
        return IdleConnectionChannel(base: try TLSChannel(upgrade, tlsConfiguration: tls), readTimeout: idle)
    }
    let channelApp = Application(
        router: channelRouter,
        server: wsServer,
        configuration: .init(address: .hostname(configuration.host, port: configuration.channelPort), serverName: "scute-channel"),
        onServerRunning: { channel in runtime.setChannelPort(channel.localAddress?.port) },
        logger: logger
    )

    let router = Router(context: ConsoleRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware(tls: tls != nil))
    router.add(middleware: ClientAddressMiddleware())
    router.add(middleware: LogRequestsMiddleware(.debug))
    try APIServer.register(on: router, core: core)
    // Hummingbird's idle timeout: closes connections idle between requests, or stalled before a request
    // (or a TLS handshake) completes, but never one whose response is still being written.
    let apiServer: HTTPServerBuilder = .http1(configuration: .init(idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds))))
    var app = Application(
        router: router,
        server: try tls.map { try .tls(apiServer, tlsConfiguration: $0) } ?? apiServer,
        configuration: .init(address: .hostname(configuration.host, port: configuration.apiPort), serverName: "scute-console"),
        onServerRunning: { channel in
            runtime.setAPIPort(channel.localAddress?.port)
            let scheme = configuration.insecureHTTP ? "http" : "https"
            let host = configuration.subjectAlternativeNames.first ?? "localhost"
            announce("Scute console: log in at \(scheme)://\(host):\(channel.localAddress?.port ?? configuration.apiPort)/")
        },
        logger: logger
    )
    app.addServices(services)
    app.addServices(core.hasher, channelApp, PolicyWatcher(core: core), Housekeeping(core: core))
    app.beforeServerStarts {
        try await store.migrate()
        try await createFirstAdmin(core: core, announce: announce)
        try await core.refreshPolicy()
    }
    return app
}

private func serverTLS(_ certificates: ConsoleCertificates, identity: ServerIdentity) throws -> TLSConfiguration {
    let chain = try NIOSSLCertificate.fromPEMBytes(Array((certificates.serverCertificatePEM + "\n" + certificates.caCertificatePEM + "\n").utf8))
    let key = try NIOSSLPrivateKey(bytes: Array(certificates.serverKeyPEM.utf8), format: .pem)
    var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    // TLS 1.0 and 1.1 are broken and deprecated (RFC 8996): refuse them on both ports.
    tls.minimumTLSVersion = .tlsv12
    // A peer that vanishes without close_notify should not hold a connection (or a shutdown) for long.
    tls.shutdownTimeout = .seconds(1)
    // Each handshake presents the certificate of the moment: a SAN added through the API needs no restart.
    tls.sslContextCallback = identity.contextCallback
    return tls
}

/// On first start (no users), creates `admin` with SCUTE_ADMIN_PASSWORD or a generated password printed once.
private func createFirstAdmin(core: ConsoleCore, announce: @Sendable (String) -> Void) async throws {
    guard try await core.store.users().isEmpty else { return }
    let generated = core.configuration.adminPassword == nil
    let password = core.configuration.adminPassword ?? Secrets.token(15)
    let hash = try await core.hasher.hash(password, cost: core.configuration.bcryptCost)
    let created = await createUnlessPresent(core.store, User(name: "admin", passwordHash: hash, role: .admin, createdAt: WallClock.milliseconds()))
    // Another replica may have made it first.
    guard try created.get() else { return }
    if generated {
        core.runtime.setGeneratedAdminPassword(password)
        announce("Scute console: created user admin with password \(password) (shown once; change it after logging in)")
    } else {
        core.logger.notice("console.admin.created", metadata: ["user": "admin", "password": "from SCUTE_ADMIN_PASSWORD"])
    }
}

/// Creates a user; false when one with that name exists already.
private func createUnlessPresent(_ store: any ScuteStore, _ user: User) async -> Result<Bool, StoreError> {
    do {
        try await store.createUser(user)
        return .success(true)
    } catch {
        return error.isConflict ? .success(false) : .failure(error)
    }
}
