import Testing

@testable import ScuteVulns

@Suite struct AdvisoryDatabaseTests {
    @Test func reimportCountsAndKeepsTheNewestModification() throws {
        var database = AdvisoryDatabase()
        let first = database.importAdvisories(Fixtures.advisories)
        #expect(first.added == 13)
        #expect(first.total == 13)
        // ALPINE-CVE-2024-9101's, later than DEBIAN-CVE-2024-9002's 2024-05-01T08:30:00.123456Z.
        #expect(first.newestModified == "2024-06-01T00:00:00Z")

        let again = database.importAdvisories(Fixtures.advisories)
        #expect(again.added == 0)
        #expect(again.unchanged == 13)
        #expect(again.updated == 0)

        var newer = Fixtures.advisory("DSA-9001-1")
        newer.modified = "2024-07-01T00:00:00.5Z"
        newer.affected[0].ranges[0].events[1] = OSVEvent(.fixed, "2.38.1-5+deb12u2")
        var older = Fixtures.advisory("GO-2024-9401")
        older.modified = "2020-01-01T00:00:00Z"
        older.aliases = ["CHANGED"]
        let update = database.importAdvisories([newer, older])
        #expect(update.updated == 1)
        #expect(update.older == 1)
        #expect(update.total == 13)
        #expect(update.newestModified == "2024-07-01T00:00:00.5Z")
        #expect(database.advisory(id: "GO-2024-9401")?.aliases == ["CVE-2023-45288"])

        let inventory = [InstalledPackage(ecosystem: "Debian", name: "util-linux", version: "2.38.1-5+deb12u1")]
        #expect(database.matcher().match(inventory, release: "Debian:12").matches.map(\.fixed) == ["2.38.1-5+deb12u2"])
    }
}
