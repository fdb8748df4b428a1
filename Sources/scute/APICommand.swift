import ArgumentParser
import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore
import NIOSSL
import OpenAPIAsyncHTTPClient
import OpenAPIRuntime
import ScuteConsole
import ScuteConsoleAPI

/// `scute api ...`: what a pipeline asks a console, through the client generated from the console's own
/// OpenAPI document (the same one the server is generated from).
struct APICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api",
        abstract: "Call a console's API: log in, fetch an install bundle for embedding, read audits.",
        subcommands: [APILogin.self, APIInstallBundle.self, APIAudits.self]
    )
}

/// Where the console is and how to trust and authenticate to it.
struct ConsoleConnectionOptions: ParsableArguments {
    @Option(help: "The console's API address, e.g. https://console.example.com:8083 (default: $SCUTE_CONSOLE_API).")
    var url: String?

    @Option(help: "PEM file with the console's CA certificate (its data folder's ca.pem); default: the system's trust roots.")
    var ca: String?

    /// The client and the HTTP client under it (shut down with `finish`).
    func client(token: String?) throws -> (Client, HTTPClient) {
        let environment = ProcessInfo.processInfo.environment
        guard let text = url ?? environment["SCUTE_CONSOLE_API"], !text.isEmpty else {
            throw CLIError("--url: missing (or set SCUTE_CONSOLE_API), e.g. https://console.example.com:8083")
        }
        guard let base = URL(string: text), let scheme = base.scheme, scheme == "https" || scheme == "http", base.host != nil else {
            throw CLIError("--url: expected https://HOST:PORT, got \(text)")
        }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let ca {
            let pem = try FileIO.readBytes(ca)
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(pem))
            } catch {
                throw CLIError("--ca \(ca): not a PEM certificate")
            }
        }
        return Self.client(base: base, tls: tls, token: token)
    }

    /// A client of the console at `base` (`http(s)://HOST:PORT`, with or without `/api/v1`).
    static func client(base: URL, tls: TLSConfiguration = .makeClientConfiguration(), token: String?) -> (Client, HTTPClient) {
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let server = base.path.hasSuffix("/api/v1") ? base : base.appendingPathComponent("api/v1")
        let middlewares: [any ClientMiddleware] = [ConsoleRefusal()] + (token.map { [BearerToken(token: $0)] } ?? [])
        // The console's own coding of dates (RFC 3339 with milliseconds), the one its server is generated with.
        let client = Client(
            serverURL: server,
            configuration: APIServer.configuration,
            transport: AsyncHTTPClientTransport(configuration: .init(client: http)),
            middlewares: middlewares
        )
        return (client, http)
    }
}

/// Options of the commands that need a token.
struct AuthenticatedConsoleOptions: ParsableArguments {
    @OptionGroup var connection: ConsoleConnectionOptions

    @Option(help: "A bearer token: an API token or a login token (default: $SCUTE_API_TOKEN).")
    var token: String?

    func client() throws -> (Client, HTTPClient) {
        guard let token = token ?? ProcessInfo.processInfo.environment["SCUTE_API_TOKEN"], !token.isEmpty else {
            throw CLIError("--token: missing (or set SCUTE_API_TOKEN); create an API token in the console, or use `scute api login`")
        }
        return try connection.client(token: token)
    }
}

struct APILogin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in and print a bearer token (the password is read from standard input)."
    )

    @OptionGroup var connection: ConsoleConnectionOptions

    @Option(help: "The user name.")
    var user = "admin"

    func run() async throws {
        let password = (readLine(strippingNewline: true) ?? "")
        try await APICall.run(connection.client(token: nil)) { client in
            // Refusals are thrown by ConsoleRefusal; `ok` throws for any other unexpected answer.
            print(try await client.authenticate(body: .json(.init(username: user, password: password))).ok.body.json.token)
        }
    }
}

struct APIInstallBundle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install-bundle",
        abstract: "Print an install bundle (the console address, its CA and a defender token) for `scute embed --install-bundle`."
    )

    @OptionGroup var options: AuthenticatedConsoleOptions

    @Option(help: "The defender channel address the bundle names, e.g. wss://console.example.com:8084 (default: the console's own).")
    var consoleaddr: String?

    func run() async throws {
        try await APICall.run(options.client()) { client in
            print(try await client.getInstallBundle(query: .init(consoleaddr: consoleaddr)).ok.body.json.installBundle)
        }
    }
}

struct APIAudits: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audits",
        abstract: "Print runtime audits as JSON lines, newest first."
    )

    @OptionGroup var options: AuthenticatedConsoleOptions

    @Option(name: .customLong("app-id"), help: "Only this app ID.")
    var appID: String?

    @Option(help: "Only this rule.")
    var rule: String?

    @Option(help: "Only this effect: alert or prevent.")
    var effect: String?

    @Option(help: "At most this many (up to 1,000).")
    var limit = 100

    func run() async throws {
        let effect: Operations.ListRuntimeAudits.Input.Query.EffectPayload?
        if let text = self.effect {
            guard let known = Operations.ListRuntimeAudits.Input.Query.EffectPayload(rawValue: text) else {
                let known = Operations.ListRuntimeAudits.Input.Query.EffectPayload.allCases.map(\.rawValue).joined(separator: ", ")
                throw CLIError("--effect: expected one of \(known); got \(text)")
            }
            effect = known
        } else {
            effect = nil
        }
        try await APICall.run(options.client()) { client in
            let page = try await client.listRuntimeAudits(query: .init(appID: appID, effect: effect, rule: rule, limit: limit)).ok.body.json
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            encoder.dateEncodingStrategy = .iso8601
            for audit in page.audits { print(String(decoding: try encoder.encode(audit), as: UTF8.self)) }
        }
    }
}

/// Runs a call, shuts the HTTP client down, and turns every failure into `error: ...` and status 1.
enum APICall {
    static func run(_ made: @autoclosure () throws -> (Client, HTTPClient), _ body: (Client) async throws -> Void) async throws {
        let client: Client
        let http: HTTPClient
        do {
            (client, http) = try made()
        } catch let error as CLIError {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
        var failure: String?
        do {
            try await body(client)
        } catch let error as CLIError {
            failure = error.message
        } catch let error as ClientError {
            if let refusal = error.underlyingError as? CLIError {
                failure = refusal.message
            } else {
                failure = "the console could not be reached or answered unexpectedly: \(error.underlyingError)"
            }
        } catch {
            failure = "\(error)"
        }
        try? await http.shutdown()
        if let failure {
            FileIO.printError("error: \(failure)")
            throw ExitCode(1)
        }
    }

}

/// Turns the console's error answers (the document's `Error`: `{"error": {"message", "field"}}`) into
/// `error: the console refused (HTTP 403): ...`, the same for every command.
struct ConsoleRefusal: ClientMiddleware {
    func intercept(
        _ request: HTTPRequest,
        body: HTTPBody?,
        baseURL: URL,
        operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        let (response, responseBody) = try await next(request, body, baseURL)
        guard response.status.code >= 400 else { return (response, responseBody) }
        var detail = response.status.reasonPhrase
        if let responseBody, let bytes = try? await Data(collecting: responseBody, upTo: 1 << 20),
            let answer = try? JSONDecoder().decode(Components.Schemas._Error.self, from: bytes)
        {
            detail = answer.error.message + (answer.error.field.map { " (field: \($0))" } ?? "")
        }
        throw CLIError("the console refused (HTTP \(response.status.code)): \(detail)")
    }
}
