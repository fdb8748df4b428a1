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
        .target(name: "ScuteDefender", dependencies: ["ScuteCore", "CScuteSys"], swiftSettings: swiftSettings),
        // The system zlib, for the defender bundle's gzip.
        .systemLibrary(name: "CScuteZlib", providers: [.apt(["zlib1g-dev"])]),
        // The defender bundle (deterministic tar.gz of the static defender) and its unpacking.
        .target(name: "ScuteBundle", dependencies: ["CScuteZlib"], swiftSettings: swiftSettings),
        // `scute sidecar`: puts the bundle into the shared volume and reports readiness.
        .target(name: "ScuteSidecar", dependencies: ["ScuteBundle"], swiftSettings: swiftSettings),
        // The `scute` command line: thin, argument parsing only.
        .executableTarget(
            name: "scute",
            dependencies: [
                "ScuteCore", "ScuteEmbed", "ScuteDefender", "ScuteBundle", "ScuteSidecar",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The small defender executable that the bundle ships as /scute/defender.
        .executableTarget(name: "scute-defender", dependencies: ["ScuteDefender"], swiftSettings: swiftSettings),
        .testTarget(name: "ScuteCoreTests", dependencies: ["ScuteCore"], swiftSettings: swiftSettings),
        .testTarget(name: "ScuteBundleTests", dependencies: ["ScuteBundle", "ScuteSidecar"], swiftSettings: swiftSettings),
        .testTarget(name: "ScuteEmbedTests", dependencies: ["ScuteEmbed", "ScuteCore"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ScuteDefenderTests",
            dependencies: ["ScuteDefender", "ScuteCore", "CScuteSys"],
            swiftSettings: swiftSettings
        ),
    ]
)
