import ScuteCore
import ScuteEmbed
import Testing

@Suite struct TaskDefinitionEmbedTests {
    let embedder = TaskDefinitionEmbedder()
    let console = EmbedOptions(consoleAddress: "wss://console.example.com:8084", installBundle: "eyJhIjoxfQ==")

    func container(_ td: JSONObject, _ name: String) throws -> JSONObject {
        let list = try #require(td["containerDefinitions"]?.arrayValue)
        return try #require(list.compactMap(\.objectValue).first { $0["name"]?.stringValue == name })
    }

    func env(_ c: JSONObject) -> [String: String] {
        var out: [String: String] = [:]
        for e in c["environment"]?.arrayValue ?? [] {
            if let o = e.objectValue, let n = o["name"]?.stringValue { out[n] = o["value"]?.stringValue }
        }
        return out
    }

    @Test func seedExampleWithShellEntryPoint() throws {
        let td = try Fixtures.taskDefinition("seed-fargate.json")
        let out = try embedder.embed(td, options: console).taskDefinition
        let app = try container(out, "Fargate-vul-comp-test")
        #expect(app["entryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "sh", "-c"])
        #expect(app["command"] == td["containerDefinitions"]?.arrayValue?[0].objectValue?["command"])
        #expect(app["linuxParameters"] == ["capabilities": ["add": ["SYS_PTRACE"]]])
        #expect(app["dependsOn"] == [["containerName": "ScuteDefender", "condition": "HEALTHY"]])
        #expect(app["mountPoints"] == [["sourceVolume": "scute-defender", "containerPath": "/scute", "readOnly": true]])
        let vars = env(app)
        #expect(vars["SCUTE_APP_ID"] == "fargate-vulnerability-compliance-task")
        #expect(vars["SCUTE_CONTAINER_NAME"] == "Fargate-vul-comp-test")
        #expect(vars["SCUTE_IMAGE_NAME"] == "ubuntu:18.04")
        // Everything the container had is still there, in the same order, with the same values.
        let original = try container(td, "Fargate-vul-comp-test")
        let keptKeys = app.keys.filter { original.keys.contains($0) }
        #expect(keptKeys == original.keys)
        for key in original.keys where key != "entryPoint" { #expect(app[key] == original[key]) }

        let sidecar = try container(out, "ScuteDefender")
        #expect(sidecar["essential"] == true)
        #expect(sidecar["image"] == "scutesec/sidecar:0.1.0")
        #expect(sidecar["healthCheck"]?.objectValue?["command"]?.stringArrayValue == EmbedConstants.sidecarHealthCommand)
        #expect(env(sidecar)["SCUTE_CONSOLE"] == "wss://console.example.com:8084")
        #expect(env(sidecar)["SCUTE_INSTALL_BUNDLE"] == "eyJhIjoxfQ==")
        #expect(env(sidecar)["SCUTE_TASK_FAMILY"] == "fargate-vulnerability-compliance-task")
        // 256 CPU units and 512 MiB: the sidecar takes a modest share that still fits.
        #expect(sidecar["cpu"]?.intValue == 32)
        #expect(sidecar["memoryReservation"]?.intValue == 64)
        #expect(sidecar["logConfiguration"] == original["logConfiguration"])
        #expect(out["volumes"] == [["name": "scute-defender"]])
        #expect(Array(out.keys.prefix(td.count)) == td.keys)
    }

    @Test(arguments: [
        "seed-fargate.json", "describe-output.json", "multi-container-firelens.json", "hardened.json",
    ])
    func embeddingTwiceIsIdempotentAndRemovalRestores(name: String) throws {
        let td = try Fixtures.taskDefinition(name)
        var options = console
        if name.contains("firelens") { options.excluded = ["log_router"] }
        let once = try embedder.embed(td, options: options).taskDefinition
        let twice = try embedder.embed(once, options: options).taskDefinition
        #expect(once == twice)
        #expect(try embedder.remove(once).taskDefinition == td)
        #expect(try embedder.remove(twice).taskDefinition == td)
        // Re-embedding with no options keeps the console, bundle, image and app ID already embedded.
        #expect(try embedder.embed(once, options: EmbedOptions()).taskDefinition == once)
    }

    @Test func reEmbeddingUpdatesConsoleBundleAndImage() throws {
        let td = try Fixtures.taskDefinition("seed-fargate.json")
        let once = try embedder.embed(td, options: console).taskDefinition
        let updated = try embedder.embed(
            once,
            options: EmbedOptions(consoleAddress: "wss://new:8084", installBundle: "bmV3", sidecarImage: "registry.local/sidecar:2")
        ).taskDefinition
        let sidecar = try container(updated, "ScuteDefender")
        #expect(env(sidecar)["SCUTE_CONSOLE"] == "wss://new:8084")
        #expect(env(sidecar)["SCUTE_INSTALL_BUNDLE"] == "bmV3")
        #expect(sidecar["image"] == "registry.local/sidecar:2")
        #expect(try container(updated, "Fargate-vul-comp-test") == container(once, "Fargate-vul-comp-test"))
        #expect(try embedder.remove(updated).taskDefinition == td)
    }

    @Test func describeOutputDropsReadOnlyKeysAndKeepsTags() throws {
        let value = try JSONValue.parse(try Fixtures.text("examples/task-definitions/describe-output.json"))
        let (td, warnings) = try TaskDefinitionEmbedder.registerInput(from: value)
        #expect(warnings.isEmpty)
        for key in ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy"] {
            #expect(td[key] == nil, "\(key) kept")
        }
        #expect(td["tags"]?.arrayValue?.count == 2)
        #expect(td.keys.last == "tags")
        #expect(td["enableFaultInjection"] == false)
        let out = try embedder.embed(td, options: console).taskDefinition
        let api = try container(out, "api")
        #expect(api["entryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "/usr/local/bin/docker-entrypoint.sh"])
        // The existing (empty) mountPoints and the existing environment are extended, not replaced.
        #expect(api["mountPoints"]?.arrayValue?.count == 1)
        #expect(env(api)["NODE_ENV"] == "production")
        #expect(api["environment"]?.arrayValue?.first == ["name": "NODE_ENV", "value": "production"])
        #expect(out["volumes"] == [["name": "scute-defender"]])
        #expect(out["tags"] == td["tags"])
    }

    @Test func multiContainerTaskWithLogRouterExcluded() throws {
        let td = try Fixtures.taskDefinition("multi-container-firelens.json")
        var options = console
        options.excluded = ["log_router"]
        let result = try embedder.embed(td, options: options)
        let out = result.taskDefinition
        #expect(try container(out, "log_router") == container(td, "log_router"))
        let web = try container(out, "web")
        #expect(
            web["dependsOn"] == [
                ["containerName": "migrate", "condition": "SUCCESS"],
                ["containerName": "log_router", "condition": "START"],
                ["containerName": "ScuteDefender", "condition": "HEALTHY"],
            ]
        )
        let nginx = try container(out, "nginx")
        #expect(nginx["healthCheck"] == (try container(td, "nginx"))["healthCheck"])
        #expect(nginx["entryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "/docker-entrypoint.sh"])
        // 2048 units with 1024 used: the sidecar gets 256; memory 4096 with 2098 reserved: 64 MiB.
        let sidecar = try container(out, "ScuteDefender")
        #expect(sidecar["cpu"]?.intValue == 256)
        #expect(sidecar["memoryReservation"]?.intValue == 64)
        // FireLens log drivers are not copied to the sidecar.
        #expect(sidecar["logConfiguration"] == nil)
        #expect(try embedder.remove(out).taskDefinition == td)
    }

    @Test func hardenedContainersKeepTheirHardening() throws {
        let td = try Fixtures.taskDefinition("hardened.json")
        let result = try embedder.embed(td, options: console)
        let worker = try container(result.taskDefinition, "worker")
        #expect(worker["user"] == "10001:10001")
        #expect(worker["readonlyRootFilesystem"] == true)
        let lp = try #require(worker["linuxParameters"]?.objectValue)
        #expect(lp["initProcessEnabled"] == true)
        #expect(lp["capabilities"] == ["drop": ["ALL"], "add": ["SYS_PTRACE"]])
        #expect(lp["tmpfs"] == td["containerDefinitions"]?.arrayValue?[0].objectValue?["linuxParameters"]?.objectValue?["tmpfs"])
        #expect(worker["mountPoints"]?.arrayValue?.count == 2)
        // A container that already adds SYS_PTRACE gets it exactly once.
        let debug = try container(result.taskDefinition, "debug")
        #expect(debug["linuxParameters"] == ["capabilities": ["add": ["SYS_PTRACE"], "drop": ["ALL"]]])
        #expect(try embedder.remove(result.taskDefinition).taskDefinition == td)
        #expect(result.warnings.isEmpty, "\(result.warnings)")
    }

    @Test func imageConfigFillsEntryPointAndCmdAsDockerWould() throws {
        let td = try Fixtures.taskDefinition("image-entrypoint.json")
        let node = try ImageConfig.parse(try Fixtures.text("examples/task-definitions/images/node-22-slim.inspect.json"))
        let redis = try ImageConfig.parse(try Fixtures.text("examples/task-definitions/images/redis-7.oci-config.json"))
        #expect(node == ImageConfig(entrypoint: ["docker-entrypoint.sh"], cmd: ["node"]))
        #expect(redis == ImageConfig(entrypoint: ["docker-entrypoint.sh"], cmd: ["redis-server"]))
        let options = EmbedOptions(assumeNoEntrypoint: ["job"], imageConfigs: ["app": node, "cache": redis])
        let out = try embedder.embed(td, options: options).taskDefinition
        // The task's command replaces the image's Cmd; the image's Entrypoint stays.
        let app = try container(out, "app")
        #expect(app["entryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "docker-entrypoint.sh"])
        #expect(app["command"]?.stringArrayValue == ["node", "server.js"])
        // No task command: the image's Cmd must be written, since overriding the entry point drops it.
        let cache = try container(out, "cache")
        #expect(cache["entryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "docker-entrypoint.sh"])
        #expect(cache["command"]?.stringArrayValue == ["redis-server"])
        let job = try container(out, "job")
        #expect(job["entryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--"])
        #expect(job["command"]?.stringArrayValue == ["sh", "-c", "echo hello"])
        #expect(try embedder.remove(out).taskDefinition == td)
        // Embedding again needs no image configuration: the first embed recorded what it filled in.
        #expect(try embedder.embed(out, options: EmbedOptions()).taskDefinition == out)
    }

    @Test func dockerEntrypointOverrideDropsImageCmdWhenTaskSetsEntryPoint() throws {
        let td = try JSONValue.parse(
            #"{"family":"f","containerDefinitions":[{"name":"a","image":"i","entryPoint":["/bin/app"]}]}"#
        ).objectValue!
        let cfg = ImageConfig(entrypoint: ["/ignored"], cmd: ["--ignored"])
        let out = try embedder.embed(td, options: EmbedOptions(imageConfigs: ["a": cfg])).taskDefinition
        let a = try container(out, "a")
        #expect(a["entryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "/bin/app"])
        #expect(a["command"] == nil)
    }

    @Test func appSetsItsOwnScuteVariable() throws {
        let td = try JSONValue.parse(
            #"{"family":"f","containerDefinitions":[{"name":"a","image":"i","entryPoint":["x"],"environment":[{"name":"SCUTE_APP_ID","value":"custom"}]}]}"#
        ).objectValue!
        let out = try embedder.embed(td, options: EmbedOptions(appID: "global")).taskDefinition
        #expect(env(try container(out, "a"))["SCUTE_APP_ID"] == "custom")
        #expect(env(try container(out, "ScuteDefender"))["SCUTE_APP_ID"] == "global")
        #expect(try embedder.remove(out).taskDefinition == td)
    }

    @Test func fargateSanityWarnings() throws {
        let td = try JSONValue.parse(
            """
            {"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"bridge","cpu":"256","memory":"4096",
             "containerDefinitions":[{"name":"a","image":"i","entryPoint":["x"],
               "linuxParameters":{"capabilities":{"add":["NET_ADMIN"]}}}]}
            """
        ).objectValue!
        let warnings = try embedder.embed(td, options: console).warnings
        #expect(warnings.contains { $0.contains("networkMode is \"bridge\"") })
        #expect(warnings.contains { $0.contains("combination Fargate rejects") })
        #expect(warnings.contains { $0.contains("NET_ADMIN") })
        let ok = try embedder.embed(try Fixtures.taskDefinition("seed-fargate.json"), options: console).warnings
        #expect(ok.isEmpty, "\(ok)")
    }

    @Test(arguments: [
        ("1 vCPU", "2 GB", true), ("0.5 vcpu", "1024", true), ("1024", "1 GB", false), ("512", "8192", false), ("3", "512", false),
    ])
    func fargateSizeForms(cpu: String, memory: String, valid: Bool) throws {
        let td = try JSONValue.parse(
            """
            {"family":"f","requiresCompatibilities":["FARGATE"],"networkMode":"awsvpc","cpu":"\(cpu)","memory":"\(memory)",
             "containerDefinitions":[{"name":"a","image":"i","entryPoint":["x"]}]}
            """
        ).objectValue!
        let warnings = try embedder.embed(td, options: console).warnings
        #expect(warnings.isEmpty == valid, "\(warnings)")
    }

    @Test(arguments: [
        (#"[]"#, "expected a task definition JSON object, found array"),
        (#"{"family":"f"}"#, "task definition has no containerDefinitions"),
        (#"{"family":"f","containerDefinitions":{}}"#, "containerDefinitions: expected an array"),
        (#"{"family":"f","containerDefinitions":[]}"#, "containerDefinitions is empty"),
        (#"{"family":"f","containerDefinitions":[1]}"#, "containerDefinitions[0]: expected an object"),
        (#"{"family":"f","containerDefinitions":[{"image":"i"}]}"#, "containerDefinitions[0] has no name"),
        (
            #"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["x"]},{"name":"a","entryPoint":["y"]}]}"#,
            "duplicate container name \"a\""
        ),
        (
            #"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["x"],"dependsOn":[{"containerName":"db","condition":"START"}]}]}"#,
            "container \"a\" depends on \"db\", which is not a container of this task"
        ),
        (#"{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}"#, "container \"a\" has no entryPoint"),
        (#"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":"sh -c x"}]}"#, "entryPoint must be a literal array"),
        (#"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["x"],"command":"y"}]}"#, "command must be an array"),
        (#"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":[1]}]}"#, "entryPoint must be an array of strings"),
        (#"{"containerDefinitions":[{"name":"a","entryPoint":["x"]}]}"#, "has no family: give --app-id"),
        (
            #"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["x"],"linuxParameters":[]}]}"#,
            "linuxParameters must be an object"
        ),
        (
            #"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["x"],"mountPoints":[{"sourceVolume":"v","containerPath":"/scute"}]}]}"#,
            "already mounts a volume at /scute"
        ),
        (
            #"{"family":"f","containerDefinitions":[{"name":"a","entryPoint":["/scute/defender","rasp","--","x"]}]}"#,
            "already starts under the defender"
        ),
        (#"{"taskDefinition":[]}"#, "taskDefinition: expected an object"),
    ])
    func badInputNamesTheProblem(input: String, expected: String) throws {
        let value = try JSONValue.parse(input)
        do {
            let (td, _) = try TaskDefinitionEmbedder.registerInput(from: value)
            _ = try embedder.embed(td, options: console)
            Issue.record("accepted bad input \(input)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test func optionsNamingUnknownContainersAreErrors() throws {
        let td = try Fixtures.taskDefinition("seed-fargate.json")
        for options in [
            EmbedOptions(excluded: ["nope"]), EmbedOptions(assumeNoEntrypoint: ["nope"]),
            EmbedOptions(imageConfigs: ["nope": ImageConfig(entrypoint: nil, cmd: ["x"])]),
        ] {
            #expect(throws: EmbedError.self) { try embedder.embed(td, options: options) }
        }
    }

    @Test func assumeNoEntrypointNeedsACommand() throws {
        let td = try JSONValue.parse(#"{"family":"f","containerDefinitions":[{"name":"a","image":"i"}]}"#).objectValue!
        #expect(throws: EmbedError.self) { try embedder.embed(td, options: EmbedOptions(assumeNoEntrypoint: ["a"])) }
    }

    @Test func removingFromAnUnprotectedTaskChangesNothing() throws {
        let td = try Fixtures.taskDefinition("hardened.json")
        let result = try embedder.remove(td)
        #expect(result.taskDefinition == td)
        #expect(result.warnings == ["the task definition is not protected: nothing to remove"])
    }

    @Test func imageConfigErrors() {
        #expect(throws: EmbedError.self) { try ImageConfig.parse("not json") }
        #expect(throws: EmbedError.self) { try ImageConfig.parse("[]") }
        #expect(throws: EmbedError.self) { try ImageConfig.parse(#"{"Config":{"Entrypoint":"sh"}}"#) }
        #expect(throws: EmbedError.self) { try ImageConfig.parse(#"{"Config":{"Env":[]}}"#) }
    }
}
