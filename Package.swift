// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "scute",
    products: [
        .executable(name: "scute", targets: ["scute"]),
        .executable(name: "scute-defender", targets: ["scute-defender"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        // Console (issue 5): server, store, channel. None of these reach `scute-defender`.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        // Console API (issue 5): generated from Sources/ScuteConsoleAPI/openapi.json.
        .package(url: "https://github.com/apple/swift-openapi-generator.git", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird.git", from: "2.1.0"),
        // `scute api`: the generated client over AsyncHTTPClient (already built for HummingbirdTesting).
        .package(url: "https://github.com/swift-server/swift-openapi-async-http-client.git", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.7.1"),
        // `scute vulns`: OSV advisories as published, one zip per ecosystem (ScuteVulnsZip only).
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        // The console's web UI: server-rendered pages from templates embedded in the binary.
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Non-variadic wrappers for ptrace, seccomp, prctl and the fork/exec plumbing.
        .target(
            name: "CScuteSys",
            cSettings: [.define("_GNU_SOURCE")]
        ),
        // Pure domain model: order-preserving JSON, policy, audit events.
        .target(name: "ScuteCore", swiftSettings: swiftSettings),
        // Pure transforms: task definition, Dockerfile, CloudFormation.
        .target(
            name: "ScuteEmbed",
            dependencies: ["ScuteCore", .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        // The embedded defender: supervisor, DNS forwarder, enforcement.
        .target(name: "ScuteDefender", dependencies: ["ScuteCore", "CScuteSys", "ScuteScan"], swiftSettings: swiftSettings),
        // The system zlib, for the defender bundle's gzip.
        .systemLibrary(name: "CScuteZlib", providers: [.apt(["zlib1g-dev"])]),
        // The defender bundle (deterministic tar.gz of the static defender) and its unpacking.
        .target(name: "ScuteBundle", dependencies: ["CScuteZlib"], swiftSettings: swiftSettings),
        // `scute sidecar`: puts the bundle into the shared volume and reports readiness.
        .target(name: "ScuteSidecar", dependencies: ["ScuteBundle"], swiftSettings: swiftSettings),
        // The console's store: one protocol, SQLite (GRDB) and PostgreSQL (postgres-nio).
        .target(
            name: "ScuteStore",
            dependencies: [
                "ScuteCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        // The console API's OpenAPI document and the types, server protocol and client generated from it.
        .target(
            name: "ScuteConsoleAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.embedInCode("openapi.json")],
            swiftSettings: swiftSettings,
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // `scute console`: API, defender channel, certificates, auth, metrics.
        .target(
            name: "ScuteConsole",
            dependencies: [
                "ScuteCore", "ScuteEmbed", "ScuteStore", "ScuteUplink", "ScuteBundle",
                "ScuteConsoleAPI", "ScuteVulns",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            // The web UI's templates, style and script (Sources/ScuteConsole/Resources), embedded in the binary.
            resources: [
                .embedInCode("Resources/layout.mustache"),
                .embedInCode("Resources/login.mustache"),
                .embedInCode("Resources/dashboard.mustache"),
                .embedInCode("Resources/events.mustache"),
                .embedInCode("Resources/compliance.mustache"),
                .embedInCode("Resources/event.mustache"),
                .embedInCode("Resources/image.mustache"),
                .embedInCode("Resources/defenders.mustache"),
                .embedInCode("Resources/deploy.mustache"),
                .embedInCode("Resources/runtime.mustache"),
                .embedInCode("Resources/collections.mustache"),
                .embedInCode("Resources/users.mustache"),
                .embedInCode("Resources/settings.mustache"),
                .embedInCode("Resources/ui.css"),
                .embedInCode("Resources/ui.js"),
            ],
            swiftSettings: swiftSettings
        ),
        // The defender/sidecar side of the channel: policy cache, audit spool, reconnects.
        .target(
            name: "ScuteUplink",
            dependencies: [
                "ScuteCore",
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The sidecar's relay: in-task defenders on a unix socket, one console uplink per defender.
        .target(
            name: "ScuteRelay",
            dependencies: [
                "ScuteCore", "ScuteUplink",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // How a defender reaches the console: the sidecar's relay socket, or its own channel (both binaries).
        .target(
            name: "ScuteDefenderUplink",
            dependencies: ["ScuteCore", "ScuteDefender", "ScuteUplink", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),
        // Scan engine: one walk of a root, package databases (dpkg, apk, rpm), compliance checks 424/425/426/448,
        // the custom-check runner and the package inventory.
        .target(name: "ScuteScan", dependencies: ["CScuteZlib"], swiftSettings: swiftSettings),
        // The system SQLite, for rpmdb.sqlite (GRDB, the console's choice, is too large for the static defender).
        .systemLibrary(name: "CScuteSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // ScuteScan's rpm header source over the system SQLite C API.
        .target(name: "ScuteScanSQLite", dependencies: ["ScuteScan", "CScuteSQLite"], swiftSettings: swiftSettings),
        // Pure vulnerability matching: version orderings, OSV advisories, the matcher and its report.
        .target(name: "ScuteVulns", swiftSettings: swiftSettings),
        // OSV advisories read from a zip, as OSV publishes them per ecosystem.
        .target(
            name: "ScuteVulnsZip",
            dependencies: ["ScuteVulns", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            swiftSettings: swiftSettings
        ),
        // The `scute` command line: thin, argument parsing only.
        .executableTarget(
            name: "scute",
            dependencies: [
                "ScuteCore", "ScuteEmbed", "ScuteDefender", "ScuteDefenderUplink", "ScuteBundle", "ScuteSidecar", "ScuteConsole", "ScuteUplink",
                "ScuteRelay", "ScuteConsoleAPI", "ScuteScan", "ScuteScanSQLite", "ScuteVulns", "ScuteVulnsZip",
                "ScuteWAAS", "ScuteWAASProxy", "ScuteTask",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIAsyncHTTPClient", package: "swift-openapi-async-http-client"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: swiftSettings
        ),
        // WAAS detection engine: normalisation, request parsers, SQL/HTML/shell tokenizers; pure, no I/O.
        .target(name: "ScuteWAAS", swiftSettings: swiftSettings),
        // `scute waas`: the NIO reverse proxy over the WAAS engine (effects, bans, events, block page).
        .target(
            name: "ScuteWAASProxy",
            dependencies: [
                "ScuteWAAS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.embedInCode("Resources/block.html")],
            swiftSettings: swiftSettings
        ),
        // `scute task run`'s namespace plumbing: network namespace, overlay root, pivot_root, clone3, pidfds.
        .target(name: "CScuteTask", cSettings: [.define("_GNU_SOURCE")]),
        // `scute task run`: a task definition run locally as Fargate would, with the task metadata endpoint.
        .target(
            name: "ScuteTask",
            dependencies: [
                "ScuteCore", "CScuteTask",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        // The small defender executable that the bundle ships as /scute/defender.
        .executableTarget(
            name: "scute-defender",
            dependencies: ["ScuteDefender", "ScuteDefenderUplink", "ScuteScanSQLite"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ScuteCoreTests", dependencies: ["ScuteCore"], swiftSettings: swiftSettings),
        // Runs real tasks as root (busybox roots made by the tests); skipped otherwise.
        .testTarget(name: "ScuteTaskTests", dependencies: ["ScuteTask", "ScuteCore"], swiftSettings: swiftSettings),
        .testTarget(name: "ScuteWAASTests", dependencies: ["ScuteWAAS"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ScuteWAASProxyTests",
            dependencies: [
                "ScuteWAASProxy", "ScuteWAAS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ScuteBundleTests", dependencies: ["ScuteBundle", "ScuteSidecar"], swiftSettings: swiftSettings),
        .testTarget(name: "ScuteStoreTests", dependencies: ["ScuteStore", "ScuteCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ScuteConsoleTests",
            dependencies: [
                "ScuteConsole", "ScuteStore", "ScuteUplink", "ScuteCore", "ScuteConsoleAPI",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScuteDefenderUplinkTests",
            dependencies: ["ScuteDefenderUplink", "ScuteDefender", "ScuteUplink", "ScuteCore"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "ScuteRelayTests", dependencies: ["ScuteRelay", "ScuteUplink", "ScuteCore"], swiftSettings: swiftSettings),
        .testTarget(name: "ScuteScanTests", dependencies: ["ScuteScan", "ScuteScanSQLite"], swiftSettings: swiftSettings),
        .testTarget(name: "ScuteEmbedTests", dependencies: ["ScuteEmbed", "ScuteCore"], swiftSettings: swiftSettings),
        // OSV fixtures live in Tests/ScuteVulnsTests/Fixtures and are read through #filePath.
        .testTarget(
            name: "ScuteVulnsTests",
            dependencies: ["ScuteVulns", "ScuteVulnsZip", .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "ScuteDefenderTests",
            dependencies: ["ScuteDefender", "ScuteCore", "CScuteSys"],
            swiftSettings: swiftSettings
        ),
    ]
)
