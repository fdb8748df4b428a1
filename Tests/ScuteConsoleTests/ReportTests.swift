import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteCore
import ScuteStore
import ScuteUplink
import ScuteVulns
import Testing

@testable import ScuteConsole

/// A compliance report as the defender's ComplianceMonitor makes it (`scute scan --format json`).
private let complianceReport = """
    {"root":"/","findings":[
    {"check":424,"title":"Sensitive information provided in environment variables","severity":"high","variable":"AWS_SECRET_ACCESS_KEY","detail":"=formula"},
    {"check":425,"title":"Private keys stored in image","severity":"high","path":"/root/.ssh/id_rsa"}],"errors":[]}
    """

/// An inventory as the defender sends it: `scute inventory`'s JSON plus the release.
private let inventoryReport = """
    {"packages":[{"ecosystem":"Debian","name":"bsdutils","version":"1:2.38.1-5+b1","source":"util-linux","sourceVersion":"2.38.1-5"},
    {"ecosystem":"Debian","name":"libc6","version":"2.36-9+deb12u7","source":"glibc"}],"release":"Debian:12"}
    """

/// DSA-9001-1 (util-linux, fixed in 2.38.1-5+deb12u1 on Debian 12) as OSV publishes it, `modified` and fix chosen.
private func osvRecord(modified: String = "2024-04-02T10:00:00Z", fixed: String = "2.38.1-5+deb12u1") -> String {
    """
    {"id":"DSA-9001-1","modified":"\(modified)","aliases":["CVE-2024-28085"],"affected":[{"package":{"ecosystem":"Debian:12",
    "name":"util-linux"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"\(fixed)"}]}]}]}
    """
}

private func advisory(modified: String = "2024-04-02T10:00:00Z", fixed: String = "2.38.1-5+deb12u1") throws -> [OSVAdvisory] {
    try OSVAdvisory.records(fromJSON: Array(osvRecord(modified: modified, fixed: fixed).utf8))
}

/// A defender of app `<family>-app` running image `registry/<family>:1`, quick to reconnect (report and UI tests).
func reportingUplink(bundle: String, folder: String, id: String, family: String, taskARN: String, container: String = "web") throws -> Uplink {
    var hello = DefenderHello(defenderID: id, appID: family + "-app", taskFamily: family, container: container, image: "registry/\(family):1")
    hello.taskARN = taskARN
    return try Uplink(
        configuration: UplinkConfiguration(
            bundle: try InstallBundle.decode(bundle),
            dataFolder: folder,
            hello: hello,
            heartbeat: .milliseconds(300),
            reconnectDelay: .milliseconds(50),
            maxReconnectDelay: .milliseconds(200)
        ),
        logger: quietLogger
    )
}

/// Runs one statement on a database file through the sqlite3 command-line shell (another connection).
private func sqlite(_ database: String, _ sql: String) throws {
    let shell = Process()
    shell.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    shell.arguments = ["-bail", database, sql]
    try shell.run()
    shell.waitUntilExit()
    #expect(shell.terminationStatus == 0, "sqlite3 \(sql)")
}

@Suite("Compliance and vulnerability reports", .serialized)
struct ReportTests {
    @Test func defenderReportsReachTheStoreAndTheAPIWithFiltersAndCSV() async throws {
        let console = TestConsole(tls: true)
        let folders = [console.directory + "-uplink-1", console.directory + "-uplink-2"]
        defer {
            console.remove()
            for f in folders { try? FileManager.default.removeItem(atPath: f) }
        }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await store.migrate()
        let summary = try await ConsoleReports(store: store).importAdvisories(try advisory())
        #expect(summary.added == 1 && summary.total == 1)
        try await console.app(store: store).test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try #require(
                try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t)
                    .body["installBundle"]?.stringValue
            )
            // A Fargate task of the payments family, and a defender outside any task (no task ARN).
            let fargate = try reportingUplink(
                bundle: bundle,
                folder: folders[0],
                id: "defender-pay",
                family: "payments",
                taskARN: "arn:aws:ecs:eu-west-1:1:task/prod/4f1c"
            )
            let plain = try reportingUplink(bundle: bundle, folder: folders[1], id: "defender-shop", family: "shop", taskARN: "")
            // Latest wins: only the second compliance report is sent.
            try fargate.report(kind: "compliance", json: Array(#"{"root":"/","findings":[],"errors":[]}"#.utf8))
            try fargate.report(kind: "compliance", json: Array(complianceReport.utf8))
            try fargate.report(kind: "inventory", json: Array(inventoryReport.utf8))
            try plain.report(kind: "compliance", json: Array(complianceReport.utf8))
            #expect(throws: (any Error).self) { try plain.report(kind: "secrets", json: Array("{}".utf8)) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await fargate.run() }
                group.addTask { await plain.run() }
                try await eventually(timeout: .seconds(60), "both compliance reports and the inventory to be stored") {
                    let compliance = try await store.reports(kind: "compliance").count
                    let matched = try await store.reports(kind: "vulnerabilities").count
                    return compliance == 2 && matched == 1
                }
                // What the uplinks saw, should the reports not have arrived.
                #expect(fargate.refusal == nil && plain.refusal == nil)
                #expect(fargate.isConnected && plain.isConnected)
                try await eventually("the console to acknowledge every report") {
                    fargate.unacknowledgedReports.isEmpty && plain.unacknowledgedReports.isEmpty
                }
                group.cancelAll()
            }

            let all = try await client.call(.get, "/api/v1/compliance/results", token: t)
            #expect(all.status == .ok)
            #expect(all.body["total"] == 4)
            // Task name with a postfix wildcard, Fargate only, one check.
            let pay = try await client.call(.get, "/api/v1/compliance/results?task=pay*&fargate=true&check=425", token: t)
            let row = try #require(pay.body["results"]?.arrayValue?.first)
            #expect(pay.body["total"] == 1)
            #expect(row["host"] == "4f1c" && row["taskFamily"] == "payments" && row["path"] == "/root/.ssh/id_rsa")
            #expect(row["fargate"] == true && row["image"] == "registry/payments:1")
            #expect(try await client.call(.get, "/api/v1/compliance/results?task=pay", token: t).body["total"] == 0)
            // Bad filters are refused naming the parameter.
            let bogus = try await client.call(.get, "/api/v1/compliance/results?bogus=1", token: t)
            #expect(bogus.status == .badRequest && bogus.body["error"]?["field"] == "bogus")
            #expect(try await client.call(.get, "/api/v1/compliance/results?fargate=maybe", token: t).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/vulnerabilities/results?severity=dire", token: t).status == .badRequest)
            #expect(try await client.call(.get, "/api/v1/compliance/results?fargate=false", token: t).body["total"] == 2)
            #expect(try await client.call(.get, "/api/v1/compliance/results?image=registry/shop:1", token: t).body["total"] == 2)
            let byImage = try await client.call(.get, "/api/v1/compliance/results?by=image&check=424", token: t)
            #expect(byImage.body["total"] == 2)
            #expect(byImage.body["results"]?.arrayValue?.allSatisfy { $0["tasks"] == 1 && $0["host"] == nil } == true)
            // CSV: a header, one line per finding, a formula-looking value defused.
            let csv = try await client.call(.get, "/api/v1/compliance/results?task=payments&format=csv", token: t)
            #expect(csv.headers[.contentType]?.hasPrefix("text/csv") == true)
            let lines = csv.text.split(separator: "\r\n")
            #expect(lines.first?.hasPrefix("host,taskFamily,taskARN") == true)
            #expect(lines.count == 3)
            #expect(csv.text.contains("'=formula"))
            #expect(csv.text.contains("4f1c,payments,arn:aws:ecs:eu-west-1:1:task/prod/4f1c"))

            // The inventory was matched on arrival: bsdutils through its source util-linux.
            let vulns = try await client.call(.get, "/api/v1/vulnerabilities/results?task=payments*", token: t)
            let match = try #require(vulns.body["results"]?.arrayValue?.first)
            #expect(vulns.body["total"] == 1)
            #expect(match["id"] == "DSA-9001-1" && match["package"] == "bsdutils" && match["host"] == "4f1c")
            #expect(match["fixed"] == "2.38.1-5+deb12u1" && match["source"] == "util-linux")
            #expect(try await client.call(.get, "/api/v1/vulnerabilities/results?id=CVE-2024-28085", token: t).body["total"] == 1)
            #expect(try await client.call(.get, "/api/v1/vulnerabilities/results?image=registry/shop*", token: t).body["total"] == 0)
            // CSV by Accept header too.
            let vcsv = try await client.execute(
                uri: "/api/v1/vulnerabilities/results?by=image",
                method: .get,
                headers: [.authorization: "Bearer \(t)", .accept: "text/csv"]
            ) { (status: $0.status, text: String(buffer: $0.body)) }
            #expect(vcsv.status == .ok)
            #expect(vcsv.text.split(separator: "\r\n").count == 2)
            #expect(vcsv.text.contains("registry/payments:1,,1,DSA-9001-1,CVE-2024-28085,bsdutils"))
        }
    }

    @Test func aReportTheConsoleCouldNotStoreIsSentAgainUntilAcknowledged() async throws {
        let console = TestConsole(tls: true)
        let folder = console.directory + "-uplink"
        let database = console.directory + "-reports.sqlite"
        defer {
            console.remove()
            for f in [folder, database, database + "-wal", database + "-shm"] { try? FileManager.default.removeItem(atPath: f) }
        }
        let store = try SQLiteStore(path: database, logger: quietLogger)
        try await store.migrate()
        // The reports table gone (another connection renamed it): storing a report fails.
        try sqlite(database, "ALTER TABLE defender_reports RENAME TO reports_away")
        try await console.app(store: store).test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try #require(
                try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t)
                    .body["installBundle"]?.stringValue
            )
            var configuration = try reportingUplink(bundle: bundle, folder: folder, id: "d-retry", family: "retry", taskARN: "").configuration
            configuration.reportRetry = .milliseconds(200)
            let uplink = try Uplink(configuration: configuration, logger: quietLogger)
            try uplink.report(kind: "compliance", json: Array(complianceReport.utf8))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run() }
                try await eventually("the uplink to connect") { uplink.isConnected }
                // Sent (at least once) and not acknowledged: the console could not store it.
                try await Task.sleep(for: .milliseconds(600))
                #expect(uplink.unacknowledgedReports == ["compliance"])
                try sqlite(database, "ALTER TABLE reports_away RENAME TO defender_reports")
                try await eventually("the report to be sent again and stored") {
                    try await store.reports(kind: "compliance").count == 1 && uplink.unacknowledgedReports.isEmpty
                }
                group.cancelAll()
            }
        }
    }

    @Test func theImportCommandWritesIntoTheDataFoldersStoreWhichTheConsoleServes() async throws {
        let console = TestConsole()
        let osv = console.directory + "-osv"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: osv)
        }
        try FileManager.default.createDirectory(atPath: osv + "/debian", withIntermediateDirectories: true)
        try osvRecord().write(toFile: osv + "/debian/DSA-9001-1.json", atomically: true, encoding: .utf8)
        // What `scute console advisories import PATH --data DIR` does, twice: the second import changes nothing.
        let load = try AdvisoryLoader.load(folder: osv)
        #expect(load.problems.isEmpty && load.advisories.count == 1)
        let first = try await AdvisoryImport.run(advisories: load.advisories, dataFolder: console.directory, databaseURL: nil, logger: quietLogger)
        #expect(first.added == 1 && first.total == 1)
        let second = try await AdvisoryImport.run(advisories: load.advisories, dataFolder: console.directory, databaseURL: nil, logger: quietLogger)
        #expect(second.unchanged == 1 && second.added == 0 && second.newestModified == "2024-04-02T10:00:00Z")
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let s = try await client.call(.get, "/api/v1/advisories/summary", token: t)
            #expect(s.body["total"] == 1 && s.body["newestModified"] == "2024-04-02T10:00:00Z")
        }
    }

    @Test func aReimportUpdatesCountsAndTheMatchedVulnerabilities() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await store.migrate()
        let reports = ConsoleReports(store: store)
        let hello = DefenderHello(defenderID: "d1", appID: "payments", taskFamily: "payments", image: "registry/pay:1")
        // An inventory that arrives before any advisory matches nothing, and is matched by the import.
        let bad = try JSONValue.parse(#"{"kind":"inventory","report":{"packages":[{"name":"x"}]}}"#)
        let refused = try await reports.ingest(try #require(bad.objectValue), from: hello)
        #expect(refused == "report.report.packages[0].ecosystem: expected a string")
        let inventory = try JSONValue.parse(inventoryReport)
        #expect(try await reports.ingest(JSONObject(["kind": "inventory", "report": inventory]), from: hello) == nil)
        #expect(try await store.reports(kind: "vulnerabilities").first?.body == #"{"vulnerabilities":[]}"#)

        var summary = try await reports.importAdvisories(try advisory())
        #expect(summary.added == 1 && summary.total == 1 && summary.newestModified == "2024-04-02T10:00:00Z")
        #expect(try await store.reports(kind: "vulnerabilities").first?.body.contains("DSA-9001-1") == true)
        summary = try await reports.importAdvisories(try advisory())
        #expect(summary.unchanged == 1 && summary.added == 0 && summary.updated == 0)
        // An older copy is not taken.
        summary = try await reports.importAdvisories(try advisory(modified: "2024-01-01T00:00:00Z", fixed: "0.1"))
        #expect(summary.older == 1)
        // A newer copy whose fix is older than what is installed: the vulnerability goes away.
        summary = try await reports.importAdvisories(try advisory(modified: "2024-05-01T00:00:00Z", fixed: "2.38.1-4"))
        #expect(summary.updated == 1 && summary.total == 1 && summary.newestModified == "2024-05-01T00:00:00Z")
        #expect(try await store.reports(kind: "vulnerabilities").first?.body == #"{"vulnerabilities":[]}"#)

        try await console.app(store: store).test(.router) { client in
            let t = try await client.login()
            let s = try await client.call(.get, "/api/v1/advisories/summary", token: t)
            #expect(s.body["total"] == 1 && s.body["newestModified"] == "2024-05-01T00:00:00Z")
            #expect(try await client.call(.get, "/api/v1/advisories/summary").status == .unauthorized)
        }
    }
}
