import ScuteCore
import ScuteEmbed
import Testing

/// `--startup-mode availability|security` on the three embeds: security sets SCUTE_STARTUP_MODE=security in
/// each protected container (availability, the defender's default, sets nothing), kept by a second embed and
/// taken out by `--remove`.
@Suite struct StartupModeEmbedTests {
    let embedder = TaskDefinitionEmbedder()
    let console = "wss://console.example.com:8084"

    /// Each container's SCUTE_STARTUP_MODE (nil when it has none), by name.
    func modes(_ td: JSONObject, key: KeyStyle = .api) throws -> [String: String?] {
        let list = try #require(td[key.key("containerDefinitions")]?.arrayValue).compactMap(\.objectValue)
        var out: [String: String?] = [:]
        for c in list {
            let name = try #require(c[key.key("name")]?.stringValue)
            let entry = c[key.key("environment")]?.arrayValue?.compactMap(\.objectValue)
                .first { $0[key.key("name")]?.stringValue == StartupMode.variable }
            out[name] = entry?[key.key("value")]?.stringValue
        }
        return out
    }

    @Test func securitySetsTheVariableInEachProtectedContainerAndASecondEmbedKeepsIt() throws {
        let td = try Fixtures.taskDefinition("multi-container-firelens.json")
        let secure = try embedder.embed(td, options: EmbedOptions(consoleAddress: console, excluded: ["log_router"], startupMode: .security))
        let set = try modes(secure.taskDefinition)
        #expect(set["web"] == .some("security") && set["nginx"] == .some("security") && set["migrate"] == .some("security"))
        // Not the excluded container, not the sidecar (the sidecar does not start apps).
        #expect(set["log_router"] == .some(nil) && set[EmbedConstants.sidecarName] == .some(nil))
        // Embedding again without the option keeps the mode, and gives the same output.
        let again = try embedder.embed(secure.taskDefinition, options: EmbedOptions())
        #expect(again.taskDefinition == secure.taskDefinition)
        // Given again, the option replaces it: availability takes the variable out.
        let relaxed = try embedder.embed(secure.taskDefinition, options: EmbedOptions(startupMode: .availability))
        #expect(try modes(relaxed.taskDefinition).values.allSatisfy { $0 == nil })
        let never = try embedder.embed(td, options: EmbedOptions(consoleAddress: console, excluded: ["log_router"]))
        #expect(relaxed.taskDefinition == never.taskDefinition)
        // Removing restores the original exactly, whatever the mode.
        #expect(try embedder.remove(secure.taskDefinition).taskDefinition == td)
        #expect(try embedder.remove(relaxed.taskDefinition).taskDefinition == td)
    }

    @Test func availabilityIsTheDefaultAndAddsNothing() throws {
        let td = try Fixtures.taskDefinition("seed-fargate.json")
        let plain = try embedder.embed(td, options: EmbedOptions(consoleAddress: console))
        let explicit = try embedder.embed(td, options: EmbedOptions(consoleAddress: console, startupMode: .availability))
        #expect(plain == explicit)
        #expect(try modes(plain.taskDefinition).values.allSatisfy { $0 == nil })
    }

    @Test func aContainersOwnValueWinsAndTheEmbedSaysSo() throws {
        var td = try Fixtures.taskDefinition("seed-fargate.json")
        var containers = try #require(td["containerDefinitions"]?.arrayValue)
        var first = try #require(containers[0].objectValue)
        let name = try #require(first["name"]?.stringValue)
        var env = first["environment"]?.arrayValue ?? []
        env.append(["name": "SCUTE_STARTUP_MODE", "value": "availability"])
        first["environment"] = .array(env)
        containers[0] = .object(first)
        td["containerDefinitions"] = .array(containers)
        let out = try embedder.embed(td, options: EmbedOptions(consoleAddress: console, startupMode: .security))
        #expect(try modes(out.taskDefinition)[name] == .some("availability"))
        #expect(out.warnings.contains { $0.contains("container \"\(name)\" sets SCUTE_STARTUP_MODE=availability itself") })
        // Its own variable is the app's: removing the embed keeps it.
        #expect(try embedder.remove(out.taskDefinition).taskDefinition == td)
    }

    @Test(arguments: ["examples/cloudformation/service.yaml", "examples/cloudformation/two-tasks.json"])
    func cloudFormationTemplatesGetTheVariableAndLoseItOnRemoval(path: String) throws {
        let source = try Fixtures.text(path)
        let cfn = CloudFormationEmbedder()
        let options = EmbedOptions(consoleAddress: console, installBundle: "eyJhIjoxfQ==", startupMode: .security)
        let once = try cfn.embed(template: source, options: options).text
        if path.hasSuffix(".yaml") {
            #expect(once.contains("- Name: SCUTE_STARTUP_MODE\n"))
            #expect(once.contains("Value: security"))
        } else {
            #expect(once.contains(#""Name": "SCUTE_STARTUP_MODE""#))
            #expect(once.contains(#""Value": "security""#))
        }
        let plain = try cfn.embed(template: source, options: EmbedOptions(consoleAddress: console, installBundle: "eyJhIjoxfQ==")).text
        #expect(!plain.contains("SCUTE_STARTUP_MODE"))
        // Idempotent with or without the option given again; removal gives the template back.
        #expect(try cfn.embed(template: once, options: options).text == once)
        #expect(try cfn.embed(template: once, options: EmbedOptions()).text == once)
        let removed = try cfn.remove(template: once).text
        if path.hasSuffix(".json") {
            #expect(try JSONValue.parse(removed) == JSONValue.parse(source))
        } else {
            #expect(removed == source)
        }
    }

    @Test func theDockerfileEmbedSetsTheVariableForSecurityOnly() throws {
        let dockerfile = "FROM debian:12\nENTRYPOINT [\"/app/run\"]\n"
        var options = DockerfileEmbedOptions(appID: "shop", console: console, startupMode: .security)
        let secure = try DockerfileEmbed.embed(dockerfile, options: options)
        #expect(secure.dockerfile.contains("ENV SCUTE_STARTUP_MODE='security'\n"))
        // Embedding the result again replaces the block: one line, not two.
        let twice = try DockerfileEmbed.embed(secure.dockerfile, options: options)
        #expect(twice.dockerfile == secure.dockerfile)
        options.startupMode = .availability
        let relaxed = try DockerfileEmbed.embed(secure.dockerfile, options: options)
        #expect(!relaxed.dockerfile.contains("SCUTE_STARTUP_MODE"))
        #expect(relaxed.dockerfile == (try DockerfileEmbed.embed(dockerfile, options: options)).dockerfile)
    }

    @Test(arguments: [("--startup-mode", "secure"), ("SCUTE_STARTUP_MODE", ""), ("startupMode", "Security")])
    func anUnknownModeIsAnErrorNamingTheSourceAndBothValues(source: String, value: String) {
        #expect {
            _ = try StartupMode(parsing: value, source: source)
        } throws: { error in
            (error as? StartupModeError)?.description == "\(source): expected availability or security, got \"\(value)\""
        }
        #expect(throws: Never.self) { try StartupMode(parsing: "security", source: source) }
    }
}
