import Logging
import ScuteStore
import ScuteVulns

/// `scute console advisories import`: OSV advisories into the console's own store (SQLite in the data
/// folder, or PostgreSQL), then every stored inventory matched again; no running console needed.
package enum AdvisoryImport {
    /// Imports `advisories` into the store of `dataFolder` (or `databaseURL`) and returns what changed.
    package static func run(
        advisories: [OSVAdvisory],
        dataFolder: String,
        databaseURL: String?,
        logger: Logger
    ) async throws -> AdvisoryDatabase.ImportSummary {
        if let databaseURL {
            let postgres = try PostgresStore(url: databaseURL, logger: logger)
            return try await withThrowingTaskGroup(of: AdvisoryDatabase.ImportSummary?.self) { group in
                group.addTask {
                    try await postgres.run()
                    return nil
                }
                defer { group.cancelAll() }
                try await postgres.migrate()
                return try await ConsoleReports(store: postgres).importAdvisories(advisories)
            }
        }
        let folder = DataFolder(path: dataFolder)
        try folder.create()
        try folder.secureDatabaseFiles()
        let store = try SQLiteStore(path: folder.databasePath, logger: logger)
        try folder.secureDatabaseFiles()
        try await store.migrate()
        return try await ConsoleReports(store: store).importAdvisories(advisories)
    }
}
