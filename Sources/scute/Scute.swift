import ArgumentParser

@main
struct Scute: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scute",
        abstract: "Runtime defense for serverless containers.",
        version: "0.1.0",
        subcommands: [
            Embed.self, BundleCommand.self, SidecarCommand.self, Defend.self, Rasp.self, ConsoleCommand.self, APICommand.self,
            ScanCommand.self, InventoryCommand.self, VulnsCommand.self, TaskCommand.self, WAASCommand.self, DemoCommand.self,
        ]
    )
}
