import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ScuteBundle
import ScuteCore
import ScuteEmbed
import ScuteStore
import ScuteUplink

extension APIRoutes {
    func registerDefenders(_ api: RouterGroup<ConsoleRequestContext>) {
        api.get("defenders") { request, context in
            _ = try context.require(.read)
            let q = QueryReader(request: request)
            try q.only(["connected", "appID"])
            let connected = try q.oneOf("connected", ["true", "false"])
            let appID = try q.string("appID")
            let now = WallClock.milliseconds()
            var list = try await store { () async throws(StoreError) in try await core.store.defenders() }
            if let connected { list = list.filter { $0.connected == (connected == "true") } }
            if let appID { list = list.filter { Wildcard(appID).matches($0.appID) } }
            return Response.json(["defenders": .array(list.map { Self.json($0, now: now) })])
        }
        api.get("defenders/install-bundle") { request, context in
            _ = try context.require(.manageDefenders)
            let q = QueryReader(request: request)
            try q.only(["consoleaddr"])
            let address = try Self.consoleAddress(try q.string("consoleaddr")) ?? core.defaultConsoleAddress
            let bundle = try await store { () async throws(StoreError) in try await core.installBundle(consoleAddress: address) }
            return Response.json(["installBundle": .string(bundle.encoded), "consoleAddress": .string(address)])
        }
        api.post("defenders/install-bundle/rotate") { _, context in
            _ = try context.require(.manageDefenders)
            let generation = try await store { () async throws(StoreError) in
                let next = try await core.defenderTokenGeneration() + 1
                try await core.store.setSetting(SettingKey.defenderTokenGeneration, String(next))
                return next
            }
            core.logger.notice("api.defender_tokens.rotated", metadata: ["generation": "\(generation)"])
            return Response.json(["generation": .number(String(generation))])
        }
        api.post("defenders/fargate.json") { request, context in
            _ = try context.require(.manageDefenders)
            return try await embedTaskDefinition(request)
        }
        api.post("defenders/cloudformation") { request, context in
            _ = try context.require(.manageDefenders)
            return try await embedCloudFormation(request)
        }
        api.post("defenders/app-embedded") { request, context in
            _ = try context.require(.manageDefenders)
            return try await embedDockerfile(request)
        }
        api.post("defenders/:id/revoke") { _, context in
            _ = try context.require(.manageDefenders)
            let id = try context.parameters.require("id")
            guard try await store({ () async throws(StoreError) in try await core.store.revokeDefender(id: id, at: WallClock.milliseconds()) }) else {
                throw APIError.notFound("no defender \(id)")
            }
            await core.hub.disconnect(defenderID: id, reason: "this defender was revoked")
            return Response(status: .noContent)
        }
        api.delete("defenders/:id") { _, context in
            _ = try context.require(.manageDefenders)
            let id = try context.parameters.require("id")
            guard try await store({ () async throws(StoreError) in try await core.store.deleteDefender(id: id) }) else {
                throw APIError.notFound("no defender \(id)")
            }
            await core.hub.disconnect(defenderID: id, reason: "this defender was deleted")
            return Response(status: .noContent)
        }
    }

    /// The embed service: the CLI's `scute embed task-definition`, as an endpoint. Options are query
    /// parameters; the install bundle is made here unless one is given.
    private func embedTaskDefinition(_ request: Request) async throws -> Response {
        let q = QueryReader(request: request)
        try q.only(["consoleaddr", "appID", "sidecarImage", "exclude", "assumeNoEntrypoint", "remove"])
        let remove = try q.oneOf("remove", ["true", "false"]) == "true"
        let address = try Self.consoleAddress(try q.string("consoleaddr")) ?? core.defaultConsoleAddress
        let document = try await JSONBody.value(of: request, limit: limit)
        let embedder = TaskDefinitionEmbedder()
        var output: TaskDefinitionEmbedder.Output
        do {
            let (input, warnings) = try TaskDefinitionEmbedder.registerInput(from: document)
            if remove {
                output = try embedder.remove(input)
            } else {
                let bundle = try await store { () async throws(StoreError) in try await core.installBundle(consoleAddress: address) }
                let options = EmbedOptions(
                    consoleAddress: address,
                    installBundle: bundle.encoded,
                    sidecarImage: try q.string("sidecarImage"),
                    appID: try q.string("appID"),
                    excluded: Set(q.all("exclude")),
                    assumeNoEntrypoint: Set(q.all("assumeNoEntrypoint"))
                )
                output = try embedder.embed(input, options: options)
            }
            output.warnings.insert(contentsOf: warnings, at: 0)
        } catch let error as EmbedError {
            throw APIError(.badRequest, error.message, field: "body")
        }
        var response = Response.json(.object(output.taskDefinition))
        for warning in output.warnings.prefix(20) {
            response.headers.append(HTTPField(name: HTTPField.Name("Scute-Warning")!, value: Self.headerSafe(warning)))
        }
        return response
    }

    /// The CloudFormation embed: a template (JSON or YAML) in, the same template with every task definition
    /// protected out, as `scute embed cloudformation` does.
    private func embedCloudFormation(_ request: Request) async throws -> Response {
        let q = QueryReader(request: request)
        try q.only(["consoleaddr", "appID", "sidecarImage", "exclude", "assumeNoEntrypoint", "resource", "remove"])
        let remove = try q.oneOf("remove", ["true", "false"]) == "true"
        let address = try Self.consoleAddress(try q.string("consoleaddr")) ?? core.defaultConsoleAddress
        var body = request
        let buffer: ByteBuffer
        do {
            buffer = try await body.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.badRequest("body", "larger than \(limit) bytes")
        }
        guard let template = String(validating: buffer.readableBytesView, as: UTF8.self), !template.isEmpty else {
            throw APIError.badRequest("body", "expected a CloudFormation template (JSON or YAML, UTF-8)")
        }
        let embedder = CloudFormationEmbedder()
        let output: CloudFormationEmbedder.Output
        do {
            if remove {
                output = try embedder.remove(template: template, resources: q.all("resource"))
            } else {
                let bundle = try await store { () async throws(StoreError) in try await core.installBundle(consoleAddress: address) }
                let options = EmbedOptions(
                    consoleAddress: address,
                    installBundle: bundle.encoded,
                    sidecarImage: try q.string("sidecarImage"),
                    appID: try q.string("appID"),
                    excluded: Set(q.all("exclude")),
                    assumeNoEntrypoint: Set(q.all("assumeNoEntrypoint"))
                )
                output = try embedder.embed(template: template, options: options, resources: q.all("resource"))
            }
        } catch let error as EmbedError {
            throw APIError(.badRequest, "body: \(error.message)", field: "body")
        }
        let json = template.drop { $0.isWhitespace }.first == "{"
        var response = Response.text(output.text, contentType: json ? "application/json; charset=utf-8" : "application/yaml; charset=utf-8")
        for warning in output.warnings.prefix(20) {
            response.headers.append(HTTPField(name: HTTPField.Name("Scute-Warning")!, value: Self.headerSafe(warning)))
        }
        return response
    }

    /// The Dockerfile embed: a Dockerfile in, a zip with the protected Dockerfile and the defender bundle out,
    /// as `scute embed dockerfile` writes it.
    private func embedDockerfile(_ request: Request) async throws -> Response {
        let q = QueryReader(request: request)
        try q.only(["appID", "consoleaddr", "platform", "target", "buildArg", "entrypoint", "cmd"])
        guard let appID = try q.string("appID"), !appID.isEmpty else { throw APIError.badRequest("appID", "missing") }
        let address = try Self.consoleAddress(try q.string("consoleaddr")) ?? core.defaultConsoleAddress
        let platform = try q.oneOf("platform", ["linux/amd64", "linux/arm64"]) ?? "linux/amd64"
        var buildArgs: [String: String] = [:]
        for spec in q.all("buildArg") {
            guard let eq = spec.firstIndex(of: "="), eq != spec.startIndex else { throw APIError.badRequest("buildArg", "expected NAME=VALUE") }
            buildArgs[String(spec[..<eq])] = String(spec[spec.index(after: eq)...])
        }
        guard let path = core.configuration.defenderBundlePath, let data = FileManager.default.contents(atPath: path) else {
            throw APIError(.serviceUnavailable, "this console has no defender bundle (start it with --defender-bundle)")
        }
        let bundleBytes = Array(data)
        let wanted = String(platform.dropFirst("linux/".count))
        if let arch = DefenderBundle.architecture(ofBundle: bundleBytes), arch != wanted {
            throw APIError.badRequest("platform", "this console's defender bundle is for linux/\(arch)")
        }
        var body = request
        let buffer: ByteBuffer
        do {
            buffer = try await body.collectBody(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.badRequest("body", "larger than \(limit) bytes")
        }
        guard let dockerfile = String(validating: buffer.readableBytesView, as: UTF8.self), !dockerfile.isEmpty else {
            throw APIError.badRequest("body", "expected a Dockerfile (UTF-8 text)")
        }
        let bundle = try await store { () async throws(StoreError) in try await core.installBundle(consoleAddress: address) }
        let baseOptions = DockerfileEmbedOptions(
            appID: appID,
            console: address,
            installBundle: bundle.encoded,
            buildArgs: buildArgs,
            target: try q.string("target"),
            platform: platform
        )
        var options = baseOptions
        let result: DockerfileEmbedResult
        do {
            // The base image's ENTRYPOINT and CMD, as JSON lists, when the Dockerfile does not set them.
            if let e = try q.string("entrypoint") { options.baseEntrypoint = .known(try DockerImageProcess.parseList(e, option: "entrypoint")) }
            if let c = try q.string("cmd") { options.baseCmd = .known(try DockerImageProcess.parseList(c, option: "cmd")) }
            result = try DockerfileEmbed.embed(dockerfile, options: options)
        } catch let error as DockerfileError {
            throw APIError(.badRequest, "body: \(error.description)", field: "body")
        } catch let error as APIError {
            throw error
        }
        var zip = ZipArchive()
        zip.add(name: "Dockerfile", data: Array(result.dockerfile.utf8))
        zip.add(name: options.bundleFileName, data: bundleBytes)
        var response = Response(
            status: .ok,
            headers: [.contentType: "application/zip", .contentDisposition: "attachment; filename=\"app-embedded.zip\""],
            body: .init(byteBuffer: ByteBuffer(bytes: zip.finish()))
        )
        for note in result.notes.prefix(20) {
            response.headers.append(HTTPField(name: HTTPField.Name("Scute-Warning")!, value: Self.headerSafe(note)))
        }
        return response
    }

    static func headerSafe(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.value >= 32 && $0.value < 127 ? Character($0) : " " }.prefix(500))
    }

    /// Checks `consoleaddr`: a ws:// or wss:// URL with a host.
    static func consoleAddress(_ text: String?) throws(APIError) -> String? {
        guard let text else { return nil }
        guard text.hasPrefix("wss://") || text.hasPrefix("ws://"), text.split(separator: "/").count >= 2,
            !text.contains(where: { $0 == " " || $0 == "\"" })
        else { throw APIError.badRequest("consoleaddr", "expected wss://HOST:PORT") }
        return text
    }

    static func json(_ d: DefenderRecord, now: Int64) -> JSONValue {
        let status = d.revoked ? "revoked" : (d.connected ? "connected" : "disconnected")
        return [
            "id": .string(d.id),
            "appID": .string(d.appID),
            "taskFamily": .string(d.taskFamily),
            "taskARN": .string(d.taskARN),
            "container": .string(d.container),
            "image": .string(d.image),
            "version": .string(d.version),
            "status": .string(status),
            "connected": .bool(d.connected),
            "since": iso(milliseconds: d.since),
            "statusText": .string("\(d.connected ? "connected" : status) for \(humanDuration(milliseconds: now - d.since))"),
            "lastSeen": iso(milliseconds: d.lastSeen),
            "revoked": .bool(d.revoked),
        ]
    }
}
