import Logging
import ScuteCore
import Testing

@testable import ScuteStore

#if canImport(Glibc)
import Glibc
#endif

/// Which store a test runs against: SQLite always, PostgreSQL when SCUTE_TEST_POSTGRES_URL is set.
enum Backend: String, CustomTestStringConvertible, Sendable {
    case sqlite
    case postgres

    static var all: [Backend] {
        postgresURL == nil ? [.sqlite] : [.sqlite, .postgres]
    }

    static var postgresURL: String? {
        guard let p = getenv("SCUTE_TEST_POSTGRES_URL") else { return nil }
        let s = String(cString: p)
        return s.isEmpty ? nil : s
    }

    var testDescription: String { rawValue }
}

let testLogger: Logger = {
    var l = Logger(label: "scute.store.tests")
    l.logLevel = .critical
    return l
}()

/// A fresh temporary directory.
func makeTempDirectory() -> String {
    var template = Array("/tmp/scute-store-test.XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    return path
}

func removeTree(_ path: String) {
    _ = system("rm -rf '\(path)'")
}

/// Runs `body` against a fresh, migrated store of the backend, and removes it afterwards.
func withStore<T: Sendable>(_ backend: Backend, _ body: (any ScuteStore) async throws -> T) async throws -> T {
    switch backend {
    case .sqlite:
        let dir = makeTempDirectory()
        defer { removeTree(dir) }
        let store = try SQLiteStore(path: dir + "/scute.db", logger: testLogger)
        try await store.migrate()
        return try await body(store)
    case .postgres:
        let url = try #require(Backend.postgresURL)
        let schema = "t_" + AuditEvent.newID().filter { $0 != "-" }.prefix(16)
        let store = try PostgresStore(url: url, searchPath: String(schema), logger: testLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            try await store.createSchema(String(schema))
            do {
                try await store.migrate()
                let result = try await body(store)
                try await store.dropSchema(String(schema))
                return result
            } catch {
                try? await store.dropSchema(String(schema))
                throw error
            }
        }
    }
}
