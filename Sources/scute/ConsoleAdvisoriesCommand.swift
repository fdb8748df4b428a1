import ArgumentParser
import Foundation
import Logging
import ScuteConsole
import ScuteVulns
import ScuteVulnsZip

/// `scute console advisories import PATH`: OSV advisories into the console's store.
struct ConsoleAdvisoriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "advisories",
        abstract: "The OSV advisories the console matches inventories against.",
        subcommands: [Import.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import OSV advisories (a folder of JSON files or a zip as OSV publishes them) into the console's store.",
            discussion: """
                A record replaces the held one with the same id unless it is older (by modified) or identical; every \
                inventory the console holds is matched again. Prints the counts and the newest modification time.
                """
        )

        @Argument(help: "A folder of OSV JSON files (searched recursively) or an OSV zip.")
        var path: String

        @Option(name: .customLong("data"), help: "The console's data folder (the SQLite database).")
        var dataFolder: String = "scute-console-data"

        @Option(name: .customLong("database"), help: "postgres://... when the console uses PostgreSQL (also SCUTE_DATABASE_URL).")
        var database: String?

        func run() async throws {
            var logger = Logger(label: "scute.console.advisories")
            logger.logLevel = .warning
            let load: AdvisoryLoad
            do {
                load = ZipAdvisoryArchive.isZip(path: path) ? try ZipAdvisoryArchive.load(path: path) : try AdvisoryLoader.load(folder: path)
            } catch {
                FileIO.printError("error: \(error)")
                throw ExitCode(2)
            }
            for problem in load.problems.prefix(20) { FileIO.printError("warning: \(problem)") }
            if load.problems.count > 20 { FileIO.printError("warning: \(load.problems.count - 20) more advisory files could not be read") }
            let summary: AdvisoryDatabase.ImportSummary
            do {
                summary = try await AdvisoryImport.run(
                    advisories: load.advisories,
                    dataFolder: dataFolder,
                    databaseURL: database ?? ProcessInfo.processInfo.environment["SCUTE_DATABASE_URL"],
                    logger: logger
                )
            } catch {
                FileIO.printError("error: \(error)")
                throw ExitCode(1)
            }
            print(
                "added \(summary.added), updated \(summary.updated), unchanged \(summary.unchanged), older \(summary.older); "
                    + "\(summary.total) advisories held, newest modified \(summary.newestModified ?? "-")"
            )
        }
    }
}
