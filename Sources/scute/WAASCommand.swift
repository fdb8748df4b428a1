import ArgumentParser
import Foundation
import Logging
import NIOCore
import ScuteSidecar
import ScuteWAASProxy

/// `scute waas`: the web application firewall as a reverse proxy in front of the app. Thin: options in, proxy out.
struct WAASCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "waas",
        abstract: "Run the web application firewall: a reverse proxy that inspects every request before the app sees it.",
        discussion: """
            Listens on --listen (the port the load balancer targets) and forwards to the app on --app (move the app \
            to another port). Each finding is one JSON line on standard output or in --events. Effects: alert \
            forwards, prevent answers 403 with a block page showing the event ID, ban also refuses the client \
            for the policy's banSeconds. See docs/waas.md for the policy file.
            """
    )

    @Option(help: "The address to listen on, HOST:PORT (e.g. 0.0.0.0:8080).")
    var listen: String

    @Option(help: "The app's address, HOST:PORT (e.g. 127.0.0.1:8081).")
    var app: String

    @Option(help: "A JSON policy file: effects per category, exceptions, methods, content types, limits.")
    var policy: String?

    @Option(help: "Set every category's effect: disable, alert, prevent or ban (default: the policy's, else alert).")
    var effect: WAASEffect?

    @Option(help: "Append events as JSON lines to this file (default: standard output).")
    var events: String?

    @Option(help: "Client connections served at once.")
    var maxConnections: Int = 10_000

    @Option(help: "Seconds a client has to send a whole request head.")
    var headerTimeout: Int = 10

    @Option(help: "Seconds without a byte from a client before its connection closes.")
    var idleTimeout: Int = 60

    func run() async throws {
        let termination = TerminationSignal.install()
        let configuration: WAASProxyConfiguration
        let sink: any WAASEventSink
        do {
            configuration = try makeConfiguration()
            sink = try events.map { path throws(WAASProxyError) in try JSONLinesEventSink(path: path) } ?? JSONLinesEventSink()
        } catch let error as WAASProxyError {
            throw CLIError(error.message)
        }
        var logger = Logger(label: "scute.waas")
        logger.logLevel = ProcessInfo.processInfo.environment["SCUTE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        let proxy: WAASProxy
        do {
            proxy = try await WAASProxy.start(configuration: configuration, eventSink: sink, logger: logger)
        } catch let error as WAASProxyError {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
        let address = proxy.localAddress
        FileIO.printError("scute waas: listening on \(address.ipAddress ?? listen):\(address.port ?? 0), app at \(app)")
        let signal = termination.wait()
        FileIO.printError("scute waas: stopping on signal \(signal)")
        await proxy.shutdown(grace: .seconds(10))
    }

    private func makeConfiguration() throws -> WAASProxyConfiguration {
        let (listenHost, listenPort) = try WAASProxyConfiguration.hostAndPort(listen)
        let (appHost, appPort) = try WAASProxyConfiguration.hostAndPort(app)
        var policy = WAASPolicy()
        if let path = self.policy {
            do {
                policy = try WAASPolicy(json: FileIO.readBytes(path))
            } catch let error as WAASPolicyError {
                throw CLIError("\(path): \(error.message)")
            } catch let error as FileIO.Failure {
                throw CLIError(error.message)
            }
        }
        if let effect { policy = policy.overriding(effect: effect) }
        guard maxConnections > 0, headerTimeout > 0, idleTimeout > 0 else {
            throw CLIError("--max-connections, --header-timeout and --idle-timeout must be positive")
        }
        var limits = WAASProxyLimits()
        limits.maxConnections = maxConnections
        limits.headerTimeout = .seconds(Int64(headerTimeout))
        limits.idleTimeout = .seconds(Int64(idleTimeout))
        return WAASProxyConfiguration(
            listenHost: listenHost,
            listenPort: listenPort,
            appHost: appHost,
            appPort: appPort,
            policy: policy,
            limits: limits
        )
    }
}

extension WAASEffect: ExpressibleByArgument {}
