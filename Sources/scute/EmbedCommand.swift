import ArgumentParser

struct Embed: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Embed the defender into a task definition, a Dockerfile or a CloudFormation template.",
        subcommands: [EmbedTaskDefinition.self, EmbedCloudFormation.self, EmbedDockerfile.self]
    )
}
