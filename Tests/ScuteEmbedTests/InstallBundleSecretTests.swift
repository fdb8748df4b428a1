import ScuteCore
import ScuteEmbed
import Testing

/// Issue 9, item 8: the task-definition embed hands the install bundle to the sidecar as an ECS secret when
/// given the ARN of one, instead of writing it into the task definition.
@Suite struct InstallBundleSecretTests {
    let embedder = TaskDefinitionEmbedder()
    static let parameter = "arn:aws:ssm:eu-west-1:123456789012:parameter/scute/install-bundle"
    static let secret = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:scute/bundle-AbCdEf"

    func sidecar(_ td: JSONObject) throws -> JSONObject {
        let list = try #require(td["containerDefinitions"]?.arrayValue)
        return try #require(list.compactMap(\.objectValue).first { $0["name"]?.stringValue == "ScuteDefender" })
    }

    func environmentNames(_ c: JSONObject) -> [String] {
        (c["environment"]?.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
    }

    @Test(arguments: [parameter, secret])
    func theSidecarGetsTheBundleAsASecret(arn: String) throws {
        let td = try Fixtures.taskDefinition("seed-fargate.json")
        let options = EmbedOptions(consoleAddress: "wss://console.example.com:8084", installBundleSecret: arn)
        let output = try embedder.embed(td, options: options)
        let sidecar = try sidecar(output.taskDefinition)
        #expect(sidecar["secrets"] == [["name": "SCUTE_INSTALL_BUNDLE", "valueFrom": .string(arn)]])
        #expect(!environmentNames(sidecar).contains("SCUTE_INSTALL_BUNDLE"))
        #expect(!output.taskDefinition.keys.isEmpty && !JSONValue.object(output.taskDefinition).serialized(.compact).contains("eyJ"))
        if td["executionRoleArn"] == nil {
            #expect(output.warnings.contains { $0.contains("executionRoleArn") })
        }
        // Embedding again keeps the secret; a plain bundle replaces it, and the other way round.
        let again = try embedder.embed(output.taskDefinition, options: EmbedOptions())
        #expect(try self.sidecar(again.taskDefinition)["secrets"] == sidecar["secrets"])
        let plain = try embedder.embed(output.taskDefinition, options: EmbedOptions(installBundle: "eyJhIjoxfQ=="))
        let plainSidecar = try self.sidecar(plain.taskDefinition)
        #expect(plainSidecar["secrets"] == nil && environmentNames(plainSidecar).contains("SCUTE_INSTALL_BUNDLE"))
        let back = try embedder.embed(plain.taskDefinition, options: EmbedOptions(installBundleSecret: arn))
        #expect(!environmentNames(try self.sidecar(back.taskDefinition)).contains("SCUTE_INSTALL_BUNDLE"))
        // Removing the embedding restores the original.
        #expect(try embedder.remove(back.taskDefinition).taskDefinition == td)
    }

    @Test(arguments: [
        "arn:aws:s3:::bucket/bundle", "arn:aws:ssm:eu-west-1:123456789012:document/x", "scute/install-bundle",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:", "arn:aws:ssm:eu-west-1::parameter/x",
    ])
    func anythingButAParameterOrSecretARNIsRefused(arn: String) throws {
        let td = try Fixtures.taskDefinition("seed-fargate.json")
        let error = #expect(throws: EmbedError.self) { _ = try embedder.embed(td, options: EmbedOptions(installBundleSecret: arn)) }
        #expect(error?.message.contains("ARN") == true || error?.message.contains("arn:") == true)
    }

    @Test func aBundleAndASecretTogetherAreRefused() throws {
        let td = try Fixtures.taskDefinition("seed-fargate.json")
        let options = EmbedOptions(installBundle: "eyJhIjoxfQ==", installBundleSecret: Self.parameter)
        let error = #expect(throws: EmbedError.self) { _ = try embedder.embed(td, options: options) }
        #expect(error?.message.contains("not both") == true)
    }
}
