import Testing

@testable import ScuteStore

/// Reports and advisories, on both stores.
@Suite("Store: reports and advisories")
struct ReportStoreTests {
    @Test(arguments: Backend.all)
    func theLatestReportOfEachKindIsKeptAndGoesWithItsDefender(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            try await store.defenderConnected(DefenderRecord(id: "d-1", appID: "pay"), at: 1)
            let first = StoredReport(defenderID: "d-1", kind: "compliance", appID: "pay", taskARN: "arn:x/t1", time: 5, body: #"{"findings":[]}"#)
            try await store.putReport(first)
            var second = first
            second.time = 6
            second.body = #"{"findings":[{"check":425}]}"#
            try await store.putReport(second)
            try await store.putReport(StoredReport(defenderID: "d-1", kind: "inventory", time: 6, body: #"{"packages":[]}"#))
            try await store.putReport(StoredReport(defenderID: "gone", kind: "compliance", time: 7, body: "{}"))
            #expect(try await store.reports(kind: "compliance").map(\.defenderID) == ["d-1", "gone"])
            #expect(try await store.reports(kind: "compliance").first == second)
            #expect(try await store.reports(kind: "inventory").count == 1)
            #expect(try await store.deleteOrphanReports() == 1)
            #expect(try await store.reports(kind: "compliance").map(\.defenderID) == ["d-1"])
        }
    }

    @Test(arguments: Backend.all)
    func advisoriesAreAddedAndReplacedByID(_ backend: Backend) async throws {
        try await withStore(backend) { (store: any ScuteStore) async throws -> Void in
            let a = StoredAdvisory(id: "DSA-1", modified: "2024-01-01T00:00:00Z", ecosystem: "Debian:12", package: "util-linux", body: "{}")
            let b = StoredAdvisory(id: "GHSA-1", modified: "2024-02-01T00:00:00Z", ecosystem: "npm", package: "x", body: "{}")
            try await store.putAdvisories([a, b])
            var newer = a
            newer.modified = "2024-03-01T00:00:00Z"
            try await store.putAdvisories([newer])
            let held = try await store.advisories()
            #expect(held.map(\.id) == ["DSA-1", "GHSA-1"])
            #expect(held.first == newer)
        }
    }
}
