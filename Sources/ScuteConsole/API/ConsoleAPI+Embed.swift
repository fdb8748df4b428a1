import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime
import ScuteBundle
import ScuteConsoleAPI
import ScuteCore
import ScuteEmbed
import ScuteStore
import ScuteUplink

/// The embed service: the CLI's `scute embed` commands as endpoints, with the same code. Options are query
/// parameters; the install bundle is made here.
extension ConsoleAPI {
    func embedTaskDefinition(_ input: Operations.EmbedTaskDefinition.Input) async throws -> Operations.EmbedTaskDefinition.Output {
        guard case .json(let container) = input.body else { throw APIError.badRequest("body", "expected JSON") }
        let q = input.query
        let address = try Self.consoleAddress(q.consoleaddr) ?? core.defaultConsoleAddress
        // The document as it came (key order, number spelling), when the raw bytes are at hand.
        let raw = RawJSONExchange.current
        let document = try raw.flatMap { try? JSONValue.parse(bytes: $0.request) } ?? JSONBridge.value(container)
        let embedder = TaskDefinitionEmbedder()
        var output: TaskDefinitionEmbedder.Output
        do {
            let (registerInput, warnings) = try TaskDefinitionEmbedder.registerInput(from: document)
            if q.remove == ._true {
                output = try embedder.remove(registerInput)
            } else {
                var options = try await embedOptions(
                    address: address,
                    sidecarImage: q.sidecarImage,
                    appID: q.appID,
                    exclude: q.exclude,
                    assumeNoEntrypoint: q.assumeNoEntrypoint,
                    freshBundle: q.plainEnvironment == ._true
                )
                options.waas = try Self.waasBindings(q.waas)
                options.waasEffect = q.waasEffect?.rawValue
                options.startupMode = q.startupMode.flatMap { StartupMode(rawValue: $0.rawValue) }
                options.installBundleSecret = try Self.installBundleSecret(q.installBundleSecret, plainEnvironment: q.plainEnvironment == ._true)
                output = try embedder.embed(registerInput, options: options)
            }
            output.warnings.insert(contentsOf: warnings, at: 0)
        } catch let error as EmbedError {
            throw APIError(.badRequest, error.message, field: "body")
        }
        Self.warn(output.warnings)
        let result = JSONValue.object(output.taskDefinition)
        let body = try JSONBridge.decode(OpenAPIObjectContainer.self, from: result)
        raw?.respond(result.serialized(.compact))
        return .ok(.init(body: .json(body)))
    }

    /// A template (JSON or YAML) in, the same template with every task definition protected out, in its format.
    func embedCloudFormation(_ input: Operations.EmbedCloudFormation.Input) async throws -> Operations.EmbedCloudFormation.Output {
        let q = input.query
        let address = try Self.consoleAddress(q.consoleaddr) ?? core.defaultConsoleAddress
        let template: String
        let json: Bool
        switch input.body {
        case .json(let container):
            // The template's own text, so that its layout survives as the CLI keeps it.
            if let raw = RawJSONExchange.current, let text = String(validating: raw.request, as: UTF8.self) {
                template = text
            } else {
                template = try JSONBridge.value(container).serialized()
            }
            json = true
        case .yaml(let body):
            template = try await Self.text(of: body, limit: core.configuration.maxBodyBytes)
            json = false
        }
        guard !template.isEmpty else { throw APIError.badRequest("body", "expected a CloudFormation template (JSON or YAML, UTF-8)") }
        let embedder = CloudFormationEmbedder()
        let output: CloudFormationEmbedder.Output
        do {
            if q.remove == ._true {
                output = try embedder.remove(template: template, resources: q.resource ?? [])
            } else {
                var options = try await embedOptions(
                    address: address,
                    sidecarImage: q.sidecarImage,
                    appID: q.appID,
                    exclude: q.exclude,
                    assumeNoEntrypoint: q.assumeNoEntrypoint
                )
                options.waas = try Self.waasBindings(q.waas)
                options.waasEffect = q.waasEffect?.rawValue
                options.startupMode = q.startupMode.flatMap { StartupMode(rawValue: $0.rawValue) }
                output = try embedder.embed(template: template, options: options, resources: q.resource ?? [])
            }
        } catch let error as EmbedError {
            throw APIError(.badRequest, "body: \(error.message)", field: "body")
        }
        Self.warn(output.warnings)
        if json {
            guard let value = try? JSONValue.parse(output.text) else { throw APIError(.internalServerError, "internal error") }
            RawJSONExchange.current?.respond(output.text)
            return .ok(.init(body: .json(try JSONBridge.decode(OpenAPIObjectContainer.self, from: value))))
        }
        return .ok(.init(body: .yaml(HTTPBody(output.text))))
    }

    /// A Dockerfile in, a zip with the protected Dockerfile and the defender bundle out, as `scute embed
    /// dockerfile` writes it.
    func embedDockerfile(_ input: Operations.EmbedDockerfile.Input) async throws -> Operations.EmbedDockerfile.Output {
        let q = input.query
        guard !q.appID.isEmpty else { throw APIError.badRequest("appID", "missing") }
        let appID = try Self.text(q.appID, "appID", maxLength: 512)
        let address = try Self.consoleAddress(q.consoleaddr) ?? core.defaultConsoleAddress
        let platform = q.platform?.rawValue ?? "linux/amd64"
        var buildArgs: [String: String] = [:]
        for spec in q.buildArg ?? [] {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else { throw APIError.badRequest("buildArg", "expected NAME=VALUE") }
            buildArgs[String(spec[..<eq])] = String(spec[spec.index(after: eq)...])
        }
        let bundleBytes = try defenderBundle()
        let wanted = String(platform.dropFirst("linux/".count))
        if let arch = DefenderBundle.architecture(ofBundle: bundleBytes), arch != wanted {
            throw APIError.badRequest("platform", "this console's defender bundle is for linux/\(arch)")
        }
        guard case .plainText(let body) = input.body else { throw APIError.badRequest("body", "expected a Dockerfile (UTF-8 text)") }
        let dockerfile = try await Self.text(of: body, limit: core.configuration.maxBodyBytes)
        guard !dockerfile.isEmpty else { throw APIError.badRequest("body", "expected a Dockerfile (UTF-8 text)") }
        let bundle = try await installBundle(address)
        var options = DockerfileEmbedOptions(
            appID: appID,
            console: address,
            installBundle: bundle.encoded,
            buildArgs: buildArgs,
            target: try Self.optionalText(q.target, "target"),
            platform: platform,
            startupMode: q.startupMode.flatMap { StartupMode(rawValue: $0.rawValue) } ?? .availability
        )
        let result: DockerfileEmbedResult
        do {
            // The base image's ENTRYPOINT and CMD, as JSON lists, when the Dockerfile does not set them.
            if let e = try Self.optionalText(q.entrypoint, "entrypoint") {
                options.baseEntrypoint = .known(try DockerImageProcess.parseList(e, option: "entrypoint"))
            }
            if let c = try Self.optionalText(q.cmd, "cmd") {
                options.baseCmd = .known(try DockerImageProcess.parseList(c, option: "cmd"))
            }
            result = try DockerfileEmbed.embed(dockerfile, options: options)
        } catch let error as DockerfileError {
            throw APIError(.badRequest, "body: \(error.description)", field: "body")
        }
        var zip = ZipArchive()
        zip.add(name: "Dockerfile", data: Array(result.dockerfile.utf8))
        zip.add(name: options.bundleFileName, data: bundleBytes)
        ResponseExtras.add(.contentDisposition, "attachment; filename=\"app-embedded.zip\"")
        Self.warn(result.notes)
        return .ok(.init(body: .applicationZip(HTTPBody(zip.finish()))))
    }

    /// The defender bundle, for a manual embed ("download the defender binaries").
    func downloadDefenderBundle(_ input: Operations.DownloadDefenderBundle.Input) async throws -> Operations.DownloadDefenderBundle.Output {
        let bytes = try defenderBundle()
        ResponseExtras.add(.contentDisposition, "attachment; filename=\"\(DefenderBundle.defaultFileName)\"")
        return .ok(.init(body: .applicationGzip(HTTPBody(bytes))))
    }

    /// The bundle this console serves (--defender-bundle, SCUTE_DEFENDER_BUNDLE, or next to the executable).
    private func defenderBundle() throws(APIError) -> [UInt8] {
        guard let path = core.configuration.defenderBundlePath, let data = FileManager.default.contents(atPath: path) else {
            throw APIError(
                .serviceUnavailable,
                "this console has no defender bundle (build one with scripts/build.sh, or start it with --defender-bundle)"
            )
        }
        return Array(data)
    }

    /// The bundle's secret for the task-definition embed. The bundle goes into the sidecar's plain
    /// environment (readable by anyone who can read the task definition) only when asked for.
    static func installBundleSecret(_ arn: String?, plainEnvironment: Bool) throws(APIError) -> String? {
        guard let arn else {
            guard plainEnvironment else {
                throw APIError.badRequest(
                    "installBundleSecret",
                    "missing: give the ARN of an SSM parameter or Secrets Manager secret holding an install bundle "
                        + "(GET /defenders/install-bundle), or plainEnvironment=true to put a fresh one into the sidecar's environment"
                )
            }
            return nil
        }
        guard !plainEnvironment else { throw APIError.badRequest("plainEnvironment", "give installBundleSecret or plainEnvironment=true, not both") }
        if let problem = EmbedOptions.installBundleSecretProblem(arn) { throw APIError.badRequest("installBundleSecret", problem) }
        return arn
    }

    private func embedOptions(
        address: String,
        sidecarImage: String?,
        appID: String?,
        exclude: [String]?,
        assumeNoEntrypoint: [String]?,
        freshBundle: Bool = true
    ) async throws(APIError) -> EmbedOptions {
        let bundle = freshBundle ? try await installBundle(address) : nil
        return EmbedOptions(
            consoleAddress: address,
            installBundle: bundle?.encoded,
            sidecarImage: try Self.optionalText(sidecarImage, "sidecarImage"),
            appID: try Self.optionalText(appID, "appID"),
            excluded: Set(exclude ?? []),
            assumeNoEntrypoint: Set(assumeNoEntrypoint ?? [])
        )
    }

    /// The `waas` query values as bindings; the error names the parameter and the value.
    static func waasBindings(_ specs: [String]?) throws(APIError) -> [WAASBinding] {
        var out: [WAASBinding] = []
        for spec in specs ?? [] {
            do {
                out.append(try WAASBinding.parse(spec))
            } catch {
                throw APIError.badRequest("waas", error.message)
            }
        }
        return out
    }

    /// Warnings go back as `Scute-Warning` header fields, at most 20.
    private static func warn(_ warnings: [String]) {
        for warning in warnings.prefix(20) { ResponseExtras.add(.scuteWarning, headerSafe(warning)) }
    }

    /// A text body of at most `limit` bytes, UTF-8.
    static func text(of body: HTTPBody, limit: Int) async throws(APIError) -> String {
        guard let text = String(validating: try await bytes(of: body, limit: limit), as: UTF8.self) else {
            throw APIError.badRequest("body", "expected UTF-8 text")
        }
        return text
    }
}
