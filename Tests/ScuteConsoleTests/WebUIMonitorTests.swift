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

/// Issue 13's pages: events filtered by task and container with a page per event, the compliance page fed by
/// real defender reports, the defenders' status wording, and a logout that ends the session for good.
@Suite("Web UI: monitor pages and sessions", .serialized)
struct WebUIMonitorTests {
    static let compliance = """
        {"root":"/","findings":[
        {"check":424,"title":"Sensitive information provided in environment variables","severity":"high","variable":"AWS_SECRET_ACCESS_KEY"},
        {"check":425,"title":"Private keys stored in image","severity":"high","path":"/root/.ssh/id_rsa"}],"errors":[]}
        """
    static let inventory = """
        {"packages":[{"ecosystem":"Debian","name":"bsdutils","version":"1:2.38.1-5+b1","source":"util-linux","sourceVersion":"2.38.1-5"}],
        "release":"Debian:12"}
        """
    static let advisory = """
        {"id":"DSA-9001-1","modified":"2024-04-02T10:00:00Z","aliases":["CVE-2024-28085"],"affected":[{"package":{"ecosystem":"Debian:12",
        "name":"util-linux"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.38.1-5+deb12u1"}]}]}]}
        """

    static func uplink(bundle: String, folder: String, id: String, family: String, taskARN: String, container: String) throws -> Uplink {
        try reportingUplink(bundle: bundle, folder: folder, id: id, family: family, taskARN: taskARN, container: container)
    }

    static func event(_ id: String, rule: String) -> JSONValue {
        .object(
            JSONObject([
                "id": .string(id), "time": "2026-12-06T10:00:00Z", "type": "process", "effect": "prevent", "rule": .string(rule),
                "processPath": "/usr/bin/nc", "msg": "denied process /usr/bin/nc", "pid": 42,
            ])
        )
    }

    /// Two defenders (a Fargate task of `payments`, and `shop` outside any task) send audits and reports over the
    /// real channel; the pages filter and show them as the API does.
    @Test func eventsAndComplianceShowWhatDefendersReported() async throws {
        let console = TestConsole(tls: true)
        let folders = [console.directory + "-uplink-1", console.directory + "-uplink-2"]
        defer {
            console.remove()
            for f in folders { try? FileManager.default.removeItem(atPath: f) }
        }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await store.migrate()
        _ = try await ConsoleReports(store: store).importAdvisories(try OSVAdvisory.records(fromJSON: Array(Self.advisory.utf8)))
        try await console.app(store: store).test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try #require(
                try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=wss://127.0.0.1:\(port)", token: t)
                    .body["installBundle"]?.stringValue
            )
            let pay = try Self.uplink(
                bundle: bundle,
                folder: folders[0],
                id: "defender-pay",
                family: "payments",
                taskARN: "arn:aws:ecs:eu-west-1:1:task/prod/4f1c",
                container: "api"
            )
            let shop = try Self.uplink(bundle: bundle, folder: folders[1], id: "defender-shop", family: "shop", taskARN: "", container: "web")
            try pay.send(json: [Self.event("pay-1", rule: "deny-nc"), Self.event("pay-2", rule: "deny-nc")])
            try shop.send(json: [Self.event("shop-1", rule: "deny-nc")])
            try pay.report(kind: "compliance", json: Array(Self.compliance.utf8))
            try pay.report(kind: "inventory", json: Array(Self.inventory.utf8))
            try shop.report(kind: "compliance", json: Array(Self.compliance.utf8))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pay.run() }
                group.addTask { await shop.run() }
                try await eventually(timeout: .seconds(60), "the audits and reports to be stored") {
                    let audits = try await store.audits(AuditQuery()).total
                    let reports = try await store.reports(kind: "compliance").count
                    let matched = try await store.reports(kind: "vulnerabilities").count
                    return audits == 3 && reports == 2 && matched == 1
                }
                group.cancelAll()
            }

            // The API: the channel's task is on each audit, and filters by it (prefix too), by container and by id.
            let byTask = try await client.call(.get, "/api/v1/audits/runtime?task=pay*", token: t)
            #expect(byTask.body["total"] == 2)
            #expect(byTask.body["audits"]?.arrayValue?.allSatisfy { $0["taskFamily"] == "payments" && $0["container"] == "api" } == true)
            #expect(try await client.call(.get, "/api/v1/audits/runtime?task=4f1c", token: t).body["total"] == 2)
            #expect(try await client.call(.get, "/api/v1/audits/runtime?task=pay", token: t).body["total"] == 0)
            #expect(try await client.call(.get, "/api/v1/audits/runtime?container=web", token: t).body["total"] == 1)
            #expect(try await client.call(.get, "/api/v1/audits/runtime?id=pay-2", token: t).body["total"] == 1)
            let shopAudit = try await client.call(.get, "/api/v1/audits/runtime?id=shop-1", token: t)
            let shopRow = try #require(shopAudit.body["audits"]?.arrayValue?.first)
            #expect(shopRow["taskFamily"] == "shop" && shopRow["taskARN"] == nil)

            let (cookie, token) = try await WebUITests.logIn(client)
            // Monitor > Events: the task and container filters, each row linked to its own page.
            let page = try await WebUITests.get(client, "/monitor/events?task=pay*&container=api", cookie: cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("1–2 of 2 events"))
            #expect(page.text.contains(#"id="task" name="task" value="pay*""#) && page.text.contains(#"id="container" name="container" value="api""#))
            #expect(page.text.contains("payments (4f1c)") && !page.text.contains("shop-app"))
            #expect(page.text.contains(#"href="/monitor/events/pay-1?back="#))
            // The CSV export is exactly the filtered set, as the API writes it.
            let csv = try await WebUITests.get(client, "/monitor/events.csv?task=pay*&container=api", cookie: cookie)
            let api = try await client.execute(
                uri: "/api/v1/audits/runtime?task=pay*&container=api&format=csv&limit=100000",
                method: .get,
                headers: [.authorization: "Bearer \(token)"]
            ) { String(buffer: $0.body) }
            #expect(csv.status == .ok && csv.text == api)
            #expect(csv.text.split(separator: "\r\n").count == 3 && csv.text.contains("pay-1") && !csv.text.contains("shop-1"))
            // The event's own page: every field, a way back to the same filter, and nothing for an unknown id.
            let back = URLText.encode("/monitor/events?task=pay*")
            let detail = try await WebUITests.get(client, "/monitor/events/pay-1?back=\(back)", cookie: cookie)
            #expect(detail.status == .ok)
            for field in ["id", "time", "type", "effect", "rule", "processPath", "msg", "pid", "appID", "container", "taskFamily", "taskARN"] {
                #expect(detail.text.contains(#"<th scope="row">\#(field)</th>"#), "\(field)")
            }
            #expect(detail.text.contains("arn:aws:ecs:eu-west-1:1:task/prod/4f1c") && detail.text.contains("<pre>42</pre>"))
            #expect(detail.text.contains(#"href="/monitor/events?task=pay*""#))
            #expect(detail.text.contains(#"aria-current="page">Monitor &gt; Events<"#))
            let offsite = try await WebUITests.get(client, "/monitor/events/pay-1?back=https://example.com/", cookie: cookie)
            #expect(!offsite.text.contains("example.com") && offsite.text.contains(#"href="/monitor/events""#))
            let missing = try await WebUITests.get(client, "/monitor/events/nothing-here", cookie: cookie)
            #expect(missing.status == .notFound && missing.text.contains("noEvent"))

            // Monitor > Compliance: both images, their tasks, findings and vulnerabilities.
            let all = try await WebUITests.get(client, "/monitor/compliance", cookie: cookie)
            #expect(all.status == .ok)
            #expect(all.text.contains("registry/payments:1") && all.text.contains("registry/shop:1"))
            #expect(all.text.contains("<td>2 high</td>") && all.text.contains("1–2 of 2 images"))
            #expect(all.text.contains("<td>4f1c</td>") && all.text.contains("<td>defender-shop</td>"))
            // The same, one row per task.
            let tasks = try await WebUITests.get(client, "/monitor/compliance?view=task", cookie: cookie)
            #expect(tasks.text.contains("<td>payments (4f1c)</td>") && tasks.text.contains("<td>shop (defender-shop)</td>"))
            #expect(tasks.text.contains("1–2 of 2 tasks") && tasks.text.contains(#"<option value="task" selected>"#))
            #expect(tasks.text.contains("/monitor/compliance/image?image=registry%2Fpayments%3A1&amp;view=task"))
            // Filters: Fargate, a task prefix, an image, a check.
            let fargate = try await WebUITests.get(client, "/monitor/compliance?fargate=yes", cookie: cookie)
            #expect(fargate.text.contains("registry/payments:1") && !fargate.text.contains("registry/shop:1"))
            let notFargate = try await WebUITests.get(client, "/monitor/compliance?fargate=no", cookie: cookie)
            #expect(!notFargate.text.contains("registry/payments:1") && notFargate.text.contains("registry/shop:1"))
            let task = try await WebUITests.get(client, "/monitor/compliance?task=shop*", cookie: cookie)
            #expect(!task.text.contains("registry/payments:1") && task.text.contains("registry/shop:1"))
            let image = try await WebUITests.get(client, "/monitor/compliance?image=registry/pay*&check=425", cookie: cookie)
            #expect(image.text.contains("registry/payments:1") && !image.text.contains("registry/shop:1"))
            #expect(image.text.contains("<td>1 high</td>"))
            let none = try await WebUITests.get(client, "/monitor/compliance?check=1", cookie: cookie)
            #expect(none.text.contains("noResults"))
            let bad = try await WebUITests.get(client, "/monitor/compliance?check=x", cookie: cookie)
            #expect(bad.status == .badRequest && bad.text.contains("complianceError"))
            // One image: its findings and vulnerabilities with package, installed and fixed version.
            let detailPage = try await WebUITests.get(client, "/monitor/compliance/image?image=registry/payments:1", cookie: cookie)
            #expect(detailPage.status == .ok)
            #expect(detailPage.text.contains("Private keys stored in image") && detailPage.text.contains("/root/.ssh/id_rsa"))
            #expect(detailPage.text.contains("DSA-9001-1") && detailPage.text.contains("bsdutils"))
            #expect(detailPage.text.contains("2.38.1-5+deb12u1") && detailPage.text.contains("CVE-2024-28085"))
            #expect(detailPage.text.contains(#"aria-current="page">Monitor &gt; Compliance<"#))
            // The CSV links are the API's exports of the same filter.
            let complianceCSV = try await WebUITests.get(client, "/monitor/compliance.csv?task=pay*", cookie: cookie)
            #expect(complianceCSV.headers[.contentType]?.hasPrefix("text/csv") == true)
            #expect(complianceCSV.text.split(separator: "\r\n").count == 3 && complianceCSV.text.contains("4f1c,payments"))
            let vulnCSV = try await WebUITests.get(client, "/monitor/vulnerabilities.csv?image=registry/payments:1", cookie: cookie)
            #expect(vulnCSV.text.split(separator: "\r\n").count == 2 && vulnCSV.text.contains("DSA-9001-1"))

            // Manage > Defenders: the task ID as host, and how long and since when.
            let defenders = try await WebUITests.get(client, "/manage/defenders", cookie: cookie)
            #expect(defenders.text.contains("<td>4f1c</td>") && defenders.text.contains("<td>defender-shop</td>"))
            // Connected or just gone, depending on how fast the links close: either way, how long and since when.
            #expect(defenders.text.contains(" UTC (") || defenders.text.contains(" UTC)"))
            #expect(defenders.text.contains("connected for ") || defenders.text.contains("disconnected since "))
        }
    }

    /// The dashboard counts the last 24 hours' audits and, apart, the firewall's; and the deployed images'
    /// compliance findings and vulnerabilities, as Monitor > Compliance does.
    @Test func theDashboardCountsFirewallEventsAndComplianceFindings() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await store.migrate()
        let now = AuditEvent.iso8601(nanoseconds: WallClock.nanoseconds() - 60_000_000_000)
        var audits: [StoredAudit] = []
        for (i, type) in ["process", "waas", "waas"].enumerated() {
            let body = JSONValue.object(
                JSONObject(["id": .string("a\(i)"), "time": .string(now), "type": .string(type), "effect": "prevent", "rule": "r"])
            )
            audits.append(try StoredAudit.from(json: body, defenderID: "d0").get())
        }
        _ = try await store.insertAudits(audits)
        try await store.putReport(
            StoredReport(defenderID: "d0", kind: "compliance", appID: "app", image: "img", time: 1000, body: Self.compliance)
        )
        try await console.app(store: store).test(.router) { client in
            let (cookie, _) = try await WebUITests.logIn(client)
            let page = try await WebUITests.get(client, "/dashboard", cookie: cookie)
            #expect(page.text.contains(#"<span class="big" id="auditTotal">3</span>"#), "\(page.text)")
            #expect(page.text.contains(#"<span class="big" id="waasTotal">2</span>"#))
            #expect(page.text.contains(#"<span class="big" id="complianceFindings">2</span>"#))
            #expect(page.text.contains(#"<span class="big" id="vulnerabilityCount">0</span>"#))
            #expect(page.text.contains("2 firewall events, hour 0"))
        }
    }

    @Test func theCompliancePageIsPagedOnTheServerAndAnyEventIDHasItsPage() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await store.migrate()
        for i in 0..<30 {
            try await store.putReport(
                StoredReport(
                    defenderID: "d\(i)",
                    kind: "compliance",
                    appID: "app",
                    taskFamily: "fam",
                    taskARN: "arn:aws:ecs:r:1:task/c/t\(i)",
                    container: "c",
                    image: String(format: "img-%02d", i),
                    time: 1000,
                    body: Self.compliance
                )
            )
        }
        // An audit ID may hold any printable ASCII: its link and page still find it.
        let odd = "odd/id?#%&x"
        let body = JSONValue.object(JSONObject(["id": .string(odd), "time": "2026-12-06T10:00:00Z", "msg": "<b>odd</b>"]))
        _ = try await store.insertAudits([try StoredAudit.from(json: body, defenderID: "d0").get()])
        try await console.app(store: store).test(.router) { client in
            let (cookie, _) = try await WebUITests.logIn(client)
            let events = try await WebUITests.get(client, "/monitor/events", cookie: cookie)
            let link = "/monitor/events/" + URLText.encode(odd)
            #expect(events.text.contains(#"href="\#(link)?back="#))
            let page = try await WebUITests.get(client, link, cookie: cookie)
            #expect(page.status == .ok && page.text.contains("odd/id?#%&amp;x") && page.text.contains("&lt;b&gt;odd&lt;/b&gt;"))
            let first = try await WebUITests.get(client, "/monitor/compliance", cookie: cookie)
            #expect(first.text.contains("1–25 of 30 images") && first.text.contains("img-24") && !first.text.contains("img-25"))
            #expect(first.text.contains(#"id="nextPage""#) && !first.text.contains(#"id="previousPage""#))
            let second = try await WebUITests.get(client, "/monitor/compliance?offset=25", cookie: cookie)
            #expect(second.text.contains("26–30 of 30 images") && second.text.contains("img-29") && !second.text.contains("img-24"))
        }
    }

    /// Logging out ends the session in the store: a copy of the cookie (or the token as a bearer) is refused.
    @Test func aCookieReplayedAfterLogoutIsRefused() async throws {
        let console = TestConsole()
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let (cookie, token) = try await WebUITests.logIn(client)
            let (other, otherToken) = try await WebUITests.logIn(client)
            // Two logins within the same second are two sessions (each token has its own random ID).
            #expect(token != otherToken)
            #expect(try await WebUITests.get(client, "/dashboard", cookie: cookie).status == .ok)
            let out = try await WebUITests.post(client, "/logout", "csrf=\(WebUI.csrf(for: token))", cookie: cookie)
            #expect(out.status == .seeOther && out.headers[.location] == "/login")
            let replay = try await WebUITests.get(client, "/dashboard", cookie: cookie)
            #expect(replay.status == .seeOther && replay.headers[.location] == "/login?expired=1")
            let post = try await WebUITests.post(client, "/users/create", "csrf=\(WebUI.csrf(for: token))&name=x&password=y", cookie: cookie)
            #expect(post.headers[.location] == "/login?expired=1")
            #expect(try await client.call(.get, "/api/v1/users", token: token).status == .unauthorized)
            // The user's other session goes on.
            #expect(try await WebUITests.get(client, "/dashboard", cookie: other).status == .ok)
            #expect(try await client.call(.get, "/api/v1/users", token: otherToken).status == .ok)
        }
    }

    @Test func theDefendersStatusSaysHowLongAndSinceWhen() {
        let now: Int64 = 1_765_000_000_000 + 2 * 3_600_000
        let since = UIQuery.rfc3339(milliseconds: 1_765_000_000_000)
        let connected = WebUI.status(connected: true, revoked: false, since: since, now: now)
        #expect(connected == "connected for 2 h (since 2025-12-06 05:46 UTC)")
        let gone = WebUI.status(connected: false, revoked: false, since: since, now: now)
        #expect(gone == "disconnected since 2025-12-06 05:46 UTC (2 h ago)")
        #expect(WebUI.status(connected: false, revoked: true, since: since, now: now).hasPrefix("revoked; disconnected since"))
        #expect(WebUI.status(connected: true, revoked: false, since: "", now: now) == "connected")
    }
}
