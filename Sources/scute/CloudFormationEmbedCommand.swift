import ArgumentParser
import ScuteEmbed

struct EmbedCloudFormation: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cloudformation",
        abstract: "Protect the ECS task definitions of a CloudFormation template (YAML or JSON).",
        discussion: """
            Applies the task-definition embed to every AWS::ECS::TaskDefinition resource (or those named with \
            --resource), in CloudFormation's property casing. Short-form intrinsics (!Ref, !Sub, ...) and \
            every line the embed does not change are kept as they were.
            """
    )

    @Argument(help: "The template, template.yaml or template.json (default: standard input).")
    var file: String?

    @Option(name: .shortAndLong, help: "Write the result here instead of standard output.")
    var output: String?

    @Option(name: .customLong("resource"), help: "Only this task definition resource (logical ID; repeatable).")
    var resources: [String] = []

    @Flag(help: "Take the embedding out again.")
    var remove = false

    @OptionGroup var options: TaskEmbedOptions

    func run() throws {
        try CLIError.reporting {
            let source = file ?? "-"
            let text = try FileIO.readText(source)
            let embedder = CloudFormationEmbedder()
            let result: CloudFormationEmbedder.Output
            do {
                if remove {
                    result = try embedder.remove(template: text, resources: resources)
                } else {
                    result = try embedder.embed(template: text, options: try options.embedOptions(), resources: resources)
                }
            } catch let error as EmbedError {
                throw CLIError("\(source == "-" ? "standard input" : source): \(error.message)")
            }
            for warning in result.warnings { FileIO.warn(warning) }
            try FileIO.writeText(result.text, to: output)
        }
    }
}
