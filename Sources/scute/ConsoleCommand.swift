import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ScuteBundle
import ScuteConsole

#if canImport(Glibc)
import Glibc
#endif

/// `scute console`: the server. Thin: options in, `buildApplication` out.
struct ConsoleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "Run the console: policies, defenders, audits and the embed service.",
        discussion: """
            First start creates the data folder, a CA and server certificate for the --san names, and the user \
            admin (password from SCUTE_ADMIN_PASSWORD, else generated and printed once). The API and web UI \
            listen on --api-port, defenders connect to --channel-port; both use TLS unless --insecure-http.
            """,
        subcommands: [ConsoleAdvisoriesCommand.self]
    )

    @Option(name: .customLong("data"), help: "The data folder (certificates, keys, the SQLite database).")
    var dataFolder: String = "scute-console-data"

    @Option(
        name: .customLong("database"),
        help: "postgres://USER:PASSWORD@HOST:PORT/DATABASE to use PostgreSQL (default: SQLite in the data folder)."
    )
    var database: String?

    @Option(name: .customLong("host"), help: "The address to listen on.")
    var host: String = "0.0.0.0"

    @Option(name: .customLong("api-port"), help: "The API and web UI port.")
    var apiPort: Int = 8083

    @Option(name: .customLong("channel-port"), help: "The defender channel port.")
    var channelPort: Int = 8084

    @Option(name: .customLong("san"), help: "A DNS name or IP address for the server certificate (repeatable).")
    var subjectAlternativeNames: [String] = []

    @Flag(name: .customLong("insecure-http"), help: "Plain HTTP and WS, for local development only.")
    var insecureHTTP = false

    @Option(
        name: .customLong("defender-bundle"),
        help:
            "The defender bundle (scute bundle output) for the Dockerfile embed and the download (default: SCUTE_DEFENDER_BUNDLE, else scute-defender.tar.gz next to this executable, as scripts/build.sh puts it)."
    )
    var defenderBundle: String?

    /// The bundle the console serves: the option, SCUTE_DEFENDER_BUNDLE, or the one next to this executable.
    static func bundlePath(option: String?, environment: [String: String]) -> String? {
        if let option { return option }
        if let path = environment["SCUTE_DEFENDER_BUNDLE"], !path.isEmpty { return path }
        guard let me = FileSystem.currentExecutable(), let slash = me.lastIndex(of: "/") else { return nil }
        let path = String(me[..<slash]) + "/" + DefenderBundle.defaultFileName
        return FileSystem.exists(path) ? path : nil
    }

    func run() async throws {
        var logger = Logger(label: "scute.console")
        logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let environment = ProcessInfo.processInfo.environment
        let configuration = ConsoleConfiguration(
            dataFolder: dataFolder,
            databaseURL: database ?? environment["SCUTE_DATABASE_URL"],
            host: host,
            apiPort: apiPort,
            channelPort: channelPort,
            subjectAlternativeNames: subjectAlternativeNames.isEmpty ? ["localhost", "127.0.0.1"] : subjectAlternativeNames,
            insecureHTTP: insecureHTTP,
            adminPassword: environment["SCUTE_ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 },
            defenderBundlePath: Self.bundlePath(option: defenderBundle, environment: environment)
        )
        do {
            let app = try await buildApplication(configuration: configuration, logger: logger) { line in
                // Unbuffered: the operator (or a supervisor's log) sees it at once.
                let bytes = Array((line + "\n").utf8)
                _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
            }
            try await app.runService()
        } catch let error as ConsoleError {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }
}
