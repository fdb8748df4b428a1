import ScuteCore
import ScuteEmbed
import Testing

/// `scute embed task-definition --waas CONTAINER=EXTERNAL:APP`: the sidecar runs the firewall in front of the app.
@Suite struct WAASEmbedTests {
    let embedder = TaskDefinitionEmbedder()

    func sidecarEnvironment(_ td: JSONObject) throws -> [String: String] {
        let list = try #require(td["containerDefinitions"]?.arrayValue)
        let sidecar = try #require(list.compactMap(\.objectValue).first { $0["name"]?.stringValue == EmbedConstants.sidecarName })
        var out: [String: String] = [:]
        for e in sidecar["environment"]?.arrayValue ?? [] {
            if let o = e.objectValue, let n = o["name"]?.stringValue { out[n] = o["value"]?.stringValue }
        }
        return out
    }

    func waas(_ specs: String..., effect: String? = nil, excluded: Set<String> = ["log_router"]) throws -> EmbedOptions {
        EmbedOptions(consoleAddress: "wss://console.example.com:8084", excluded: excluded, waas: try specs.map(WAASBinding.parse), waasEffect: effect)
    }

    @Test func theSidecarRunsTheFirewallAndASecondEmbedKeepsIt() throws {
        let td = try Fixtures.taskDefinition("multi-container-firelens.json")
        let first = try embedder.embed(td, options: try waas("web=8080:8081", "nginx=80:8000", effect: "prevent"))
        let env = try sidecarEnvironment(first.taskDefinition)
        #expect(env["SCUTE_WAAS"] == "web=8080:8081,nginx=80:8000")
        #expect(env["SCUTE_WAAS_EFFECT"] == "prevent")
        // Told what to change: the app's port, and nothing mapped around the firewall.
        #expect(first.warnings.contains { $0.contains("make web listen on 127.0.0.1:8081") })
        #expect(!first.warnings.contains { $0.contains("maps no containerPort") })
        // Embedding again without --waas keeps it; the output is the same.
        let second = try embedder.embed(first.taskDefinition, options: EmbedOptions())
        #expect(second.taskDefinition == first.taskDefinition)
        // Removing the embedding takes it out with the sidecar.
        let removed = try embedder.remove(first.taskDefinition).taskDefinition
        #expect(removed == td)
    }

    @Test func warnsWhereTheLoadBalancerMissesTheFirewallOrTrafficGoesAroundIt() throws {
        let td = try Fixtures.taskDefinition("multi-container-firelens.json")
        let missing = try embedder.embed(td, options: try waas("web=9090:8080"))
        #expect(missing.warnings.contains { $0.contains("web maps no containerPort 9090") })
        #expect(missing.warnings.contains { $0.contains("web maps containerPort 8080, the app's port behind the firewall") })
        #expect(try sidecarEnvironment(missing.taskDefinition)["SCUTE_WAAS_EFFECT"] == nil)
    }

    @Test(arguments: [
        ("web", "expected CONTAINER=EXTERNAL:APP"),
        ("web=8080", "expected CONTAINER=EXTERNAL:APP"),
        ("=8080:8081", "expected CONTAINER=EXTERNAL:APP"),
        ("web=0:8081", "the external port 0 is not a port number"),
        ("web=8080:70000", "the app port 70000 is not a port number"),
        ("web=8080:8080", "the app must move to another port"),
    ])
    func badBindingsAreRefusedNamingWhatIsWrong(spec: String, message: String) {
        #expect {
            _ = try WAASBinding.parse(spec)
        } throws: { error in
            (error as? EmbedError)?.message.contains(message) == true && (error as? EmbedError)?.message.contains(spec) == true
        }
    }

    @Test func bindingsThatDoNotFitTheTaskAreRefused() throws {
        let td = try Fixtures.taskDefinition("multi-container-firelens.json")
        func refusal(_ options: EmbedOptions, td: JSONObject = td) -> String? {
            do {
                _ = try embedder.embed(td, options: options)
                return nil
            } catch {
                return error.message
            }
        }
        #expect(refusal(try waas("api=8080:8081"))?.contains("api") == true)
        #expect(refusal(try waas("web=8080:8081", excluded: ["log_router", "web"]))?.contains("web is excluded") == true)
        #expect(refusal(try waas("web=8080:8081", "nginx=8081:8000"))?.contains("port 8081 is already used by --waas web=8080:8081") == true)
        #expect(
            refusal(try waas("web=8080:8081", effect: "block"))?.contains("--waas-effect block: expected one of disable, alert, prevent, ban") == true
        )
        #expect(refusal(EmbedOptions(excluded: ["log_router"], waasEffect: "alert"))?.contains("--waas-effect needs --waas") == true)
        var bridge = td
        bridge["networkMode"] = "bridge"
        #expect(refusal(try waas("web=8080:8081"), td: bridge)?.contains("networkMode is bridge") == true)
    }
}
