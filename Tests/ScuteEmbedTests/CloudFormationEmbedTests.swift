import ScuteCore
import ScuteEmbed
import Testing

@Suite struct CloudFormationEmbedTests {
    let embedder = CloudFormationEmbedder()
    let options = EmbedOptions(consoleAddress: "wss://console.example.com:8084", installBundle: "eyJhIjoxfQ==")

    @Test func yamlTemplateKeepsEveryUnchangedLine() throws {
        let source = try Fixtures.text("examples/cloudformation/service.yaml")
        let out = try embedder.embed(template: source, options: options)
        #expect(out.resources == ["TaskDefinition"])
        let before = source.split(separator: "\n", omittingEmptySubsequences: false)
        let after = out.text.split(separator: "\n", omittingEmptySubsequences: false)
        // Every original line is still there in order, except the one entry point that changed.
        var position = 0
        var missing: [Substring] = []
        for line in before {
            if let found = after[position...].firstIndex(of: line) {
                position = found + 1
            } else {
                missing.append(line)
            }
        }
        #expect(missing == ["          EntryPoint: [/usr/local/bin/docker-entrypoint.sh]"])
        #expect(out.text.contains("# Logs for every container of the task."))
        #expect(out.text.contains("        - Name: api   # the web service"))
    }

    @Test func yamlIntrinsicsSurviveInsideRewrittenProperties() throws {
        let source = try Fixtures.text("examples/cloudformation/service.yaml")
        let out = try embedder.embed(template: source, options: options).text
        // The image is a !Sub, and the container's SCUTE_IMAGE_NAME carries the same intrinsic.
        #expect(out.contains("Value: !Sub 012345678910.dkr.ecr.${AWS::Region}.amazonaws.com/payments-api:${ImageTag}"))
        #expect(out.contains("Value: !Sub ${AWS::StackName}-payments"))
        #expect(out.contains("Value: !Join ['', ['012345678910.dkr.ecr.us-east-1.amazonaws.com/payments-worker:', !Ref ImageTag]]"))
        // A flow-style entry point stays flow style; a block one stays block.
        #expect(out.contains("          EntryPoint: [/scute/defender, rasp, --, /usr/local/bin/docker-entrypoint.sh]\n"))
        #expect(
            out.contains(
                """
                          EntryPoint:
                            - /scute/defender
                            - rasp
                            - --
                            - /app/worker
                """
            )
        )
        #expect(
            out.contains(
                """
                            Capabilities:
                              Drop:
                                - ALL
                              Add:
                                - SYS_PTRACE
                """
            )
        )
        #expect(
            out.contains(
                """
                          DependsOn:
                            - ContainerName: api
                              Condition: START
                            - ContainerName: ScuteDefender
                              Condition: HEALTHY
                """
            )
        )
        #expect(out.contains("        - Name: ScuteDefender\n          Image: scutesec/sidecar:0.1.0"))
        #expect(out.contains("      Volumes:\n        - Name: scute-defender\n\n  Service:"))
    }

    @Test func yamlOutputParsesToTheSameModelAsTheJSONTransform() throws {
        let source = try Fixtures.text("examples/cloudformation/service.yaml")
        let out = try embedder.embed(template: source, options: options).text
        let props = try #require(try resourceProperties(out, "TaskDefinition"))
        let original = try #require(try resourceProperties(source, "TaskDefinition"))
        let expected = try TaskDefinitionEmbedder(keyStyle: .cloudFormation).embed(original, options: options).taskDefinition
        #expect(props == expected)
    }

    @Test(arguments: ["examples/cloudformation/service.yaml", "examples/cloudformation/two-tasks.json"])
    func embedIsIdempotentAndRemovalRestoresTheTemplate(path: String) throws {
        let source = try Fixtures.text(path)
        let once = try embedder.embed(template: source, options: options).text
        let twice = try embedder.embed(template: once, options: options).text
        #expect(once == twice)
        let removed = try embedder.remove(template: once).text
        if path.hasSuffix(".json") {
            #expect(try JSONValue.parse(removed) == JSONValue.parse(source))
        } else {
            #expect(removed == source)
        }
    }

    @Test func jsonTemplateWithTwoTaskDefinitions() throws {
        let source = try Fixtures.text("examples/cloudformation/two-tasks.json")
        let out = try embedder.embed(template: source, options: options)
        #expect(out.resources == ["WebTask", "BatchTask"])
        let doc = try JSONValue.parse(out.text)
        let web = try #require(doc.objectValue?["Resources"]?.objectValue?["WebTask"]?.objectValue?["Properties"]?.objectValue)
        let containers = try #require(web["ContainerDefinitions"]?.arrayValue)
        #expect(containers.count == 2)
        let c = try #require(containers[0].objectValue)
        #expect(c["EntryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "/docker-entrypoint.sh"])
        let env = c["Environment"]?.arrayValue ?? []
        #expect(env.contains(["Name": "SCUTE_IMAGE_NAME", "Value": ["Fn::Sub": "nginx:${Tag}"]]))
        // No Family: the app ID defaults to the logical ID.
        let batch = try #require(doc.objectValue?["Resources"]?.objectValue?["BatchTask"]?.objectValue?["Properties"]?.objectValue)
        let batchEnv = batch["ContainerDefinitions"]?.arrayValue?[0].objectValue?["Environment"]?.arrayValue ?? []
        #expect(batchEnv.contains(["Name": "SCUTE_APP_ID", "Value": "BatchTask"]))
        #expect(batch["Volumes"] == [["Name": "scratch"], ["Name": "scute-defender"]])
        #expect(doc.objectValue?.keys == ["AWSTemplateFormatVersion", "Resources", "Parameters"])
    }

    @Test func resourceOptionSelectsOneTaskDefinition() throws {
        let source = try Fixtures.text("examples/cloudformation/two-tasks.json")
        let out = try embedder.embed(template: source, options: options, resources: ["BatchTask"])
        #expect(out.resources == ["BatchTask"])
        let doc = try JSONValue.parse(out.text)
        let original = try JSONValue.parse(source)
        #expect(doc.objectValue?["Resources"]?.objectValue?["WebTask"] == original.objectValue?["Resources"]?.objectValue?["WebTask"])
    }

    static let taskHeader = "Resources:\n  T:\n    Type: AWS::ECS::TaskDefinition\n"

    @Test(arguments: [
        (
            taskHeader + "    Properties:\n      ContainerDefinitions:\n        - Name: a\n          EntryPoint: !If [C, [a], [b]]\n",
            "resource T: container \"a\": EntryPoint must be a literal array"
        ),
        ("Resources:\n  B:\n    Type: AWS::S3::Bucket\n", "the template has no AWS::ECS::TaskDefinition resource"),
        (taskHeader, "resource T has no Properties"),
        (taskHeader + "    Properties:\n      Cpu: 256\n", "resource T has no ContainerDefinitions"),
        (taskHeader + "    Properties:\n      ContainerDefinitions: !If [C, [], []]\n", "ContainerDefinitions: expected an array"),
        ("Resources: [\n", "not valid YAML"),
        ("{\"Resources\": {]}", "not valid JSON: line 1, column 16"),
        ("Description: x\n", "the template has no Resources section"),
        (taskHeader + "    Properties:\n      ContainerDefinitions:\n        - Name: a\n          Image: i\n", "container \"a\" has no EntryPoint"),
    ])
    func errorsNameTheResource(template: String, message: String) {
        do {
            _ = try embedder.embed(template: template, options: options)
            Issue.record("accepted \(template)")
        } catch {
            #expect(error.message.contains(message), "\(error.message)")
        }
    }

    @Test func flowStylePropertiesAreRewrittenInBlockStyle() throws {
        let template = """
            Resources:
              Task:
                Type: AWS::ECS::TaskDefinition
                Properties: {Family: f, ContainerDefinitions: [{Name: a, Image: !Ref Img, EntryPoint: [x]}]}
            Outputs:
              Arn: {Value: !Ref Task}

            """
        let out = try embedder.embed(template: template, options: options).text
        let props = try #require(try CloudFormationEmbedder.taskDefinitions(in: out).first?.properties)
        let c = try #require(props["ContainerDefinitions"]?.arrayValue?.first?.objectValue)
        #expect(c["EntryPoint"]?.stringArrayValue == ["/scute/defender", "rasp", "--", "x"])
        #expect(c["Image"] == ["!Ref": "Img"])
        #expect(out.hasSuffix("Outputs:\n  Arn: {Value: !Ref Task}\n"))
        #expect(try embedder.embed(template: out, options: options).text == out)
    }

    @Test func unknownResourceOption() {
        let template = "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
        #expect(throws: EmbedError.self) { try embedder.embed(template: template, options: options, resources: ["Nope"]) }
        #expect(throws: EmbedError.self) { try embedder.embed(template: template, options: options, resources: ["B"]) }
    }

    private func resourceProperties(_ template: String, _ name: String) throws -> JSONObject? {
        try CloudFormationEmbedder.taskDefinitions(in: template).first { $0.logicalID == name }?.properties
    }
}
