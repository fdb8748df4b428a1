import ArgumentParser

@main
struct Scute: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scute",
        abstract: "Runtime defense for serverless containers.",
        version: "0.1.0",
        subcommands: [Embed.self]
    )
}
