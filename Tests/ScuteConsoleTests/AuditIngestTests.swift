import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ScuteCore
import ScuteStore
import ScuteUplink
import Testing

@testable import ScuteConsole

/// Issue 9, item 9: audits are checked on ingest, served as stored, and delivered in messages the console takes.
@Suite("Audit ingest", .serialized)
struct AuditIngestTests {
    static func event(_ id: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) -> JSONValue {
        var o = AuditEvent(id: id, time: WallClock.nanoseconds() - 1_000_000_000, appID: "payments-api", type: .process, effect: .prevent, msg: "m")
            .json.objectValue!
        for (key, value) in fields { o[key] = value }
        return .object(o)
    }

    /// Events a defender (or anything holding a bundle) could send that no listing may choke on.
    static let outOfBounds: [JSONValue] = [
        event("bad-pid", ["pid": .number("1e999")]),
        event("bad-time-2262", ["time": "2262-04-11T23:47:16.000Z"]),
        event("bad-time-int", ["time": .number("9000000000000000000")]),
        event("bad-port", ["port": 70_000]),
        event("bad-nested", ["cmdline": ["a": ["b": "c"]]]),
        event("bad-huge", ["cmdline": .string(String(repeating: "x", count: 70_000))]),
        event("bad-nul-rule", ["rule": "r\u{0}x"]),
        event("bad-type", ["type": "<script>"]),
        .string("not an object"),
    ]

    @Test func outOfBoundsAuditsAreRejectedOnIngestAndTheListingKeepsWorking() async throws {
        let console = TestConsole(tls: false)
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: t)
            let uplink = try makeUplink(bundle: try #require(bundle.body["installBundle"]?.stringValue), folder: folder)
            // The events claim another app: the channel's app ID wins.
            let good = (0..<5).map { Self.event("good-\($0)", ["appID": "someone-else"]) }
            try uplink.send(json: good + Self.outOfBounds)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run() }
                try await eventually("the spool to drain") { uplink.spool.pending().isEmpty }
                group.cancelAll()
            }
            let page = try await client.call(.get, "/api/v1/audits/runtime?limit=100", token: t)
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.body["total"] == 5)
            let ids = page.body["audits"]?.arrayValue?.compactMap { $0["id"]?.stringValue }.sorted()
            #expect(ids == (0..<5).map { "good-\($0)" })
            #expect(page.body["audits"]?.arrayValue?.allSatisfy { $0["appID"] == "payments-api" } == true)
            let byApp = try await client.call(.get, "/api/v1/audits/runtime?appID=someone-else", token: t)
            #expect(byApp.body["total"] == 0)
            let csv = try await client.call(.get, "/api/v1/audits/runtime?format=csv&limit=1000", token: t)
            #expect(csv.status == .ok)
            #expect(csv.text.split(separator: "\r\n").count == 6)
        }
    }

    /// Audits stored before ingest checked them (or by another tool) go out as they are, not decoded again.
    @Test func storedAuditsAreServedWithoutASecondDecode() async throws {
        let console = TestConsole()
        defer { console.remove() }
        let store = try SQLiteStore(inMemoryWith: quietLogger)
        try await console.app(store: store).test(.router) { client in
            let t = try await client.login()
            let body = #"{"id":"old-1","time":"2262-04-11T23:47:16.000Z","pid":1e999,"msg":"from an older console"}"#
            _ = try await store.insertAudits([StoredAudit(id: "old-1", time: 9_223_372_036_000_000_000, appID: "pay", body: body)])
            let page = try await client.call(.get, "/api/v1/audits/runtime?sort=-time", token: t)
            #expect(page.status == .ok, "\(page.text)")
            #expect(page.text == #"{"audits":[\#(body)],"limit":100,"offset":0,"total":1}"#)
            #expect(page.headers[.contentLength] == String(page.text.utf8.count))
            let late = try await client.call(.get, "/api/v1/audits/runtime?from=2262-04-11T23:47:16Z", token: t)
            #expect(late.status == .ok)
        }
    }

    /// A spooled batch larger than the console's message limit goes in several messages, and all arrive.
    @Test func aBatchLargerThanAMessageIsSplitAndDelivered() async throws {
        let console = TestConsole(tls: false)
        let folder = console.directory + "-uplink"
        defer {
            console.remove()
            try? FileManager.default.removeItem(atPath: folder)
        }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: t)
            let uplink = try makeUplink(bundle: try #require(bundle.body["installBundle"]?.stringValue), folder: folder)
            let long = String(repeating: "a", count: 600)
            // About 2 MB in one spool file: twice the console's 1 MiB frame limit.
            try uplink.send(json: (0..<3000).map { Self.event("big-\($0)", ["cmdline": .string(long)]) })
            #expect(uplink.spool.pending().count == 1)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await uplink.run() }
                try await eventually(timeout: .seconds(60), "the spool to drain") { uplink.spool.pending().isEmpty }
                group.cancelAll()
            }
            #expect(try await client.call(.get, "/api/v1/audits/runtime?limit=1", token: t).body["total"] == 3000)
        }
    }

    /// A batch the console will never store is acknowledged with the reason, so the defender moves on.
    @Test func aRefusedBatchIsAcknowledgedAndTheNextOneIsStored() async throws {
        let console = TestConsole(tls: false)
        defer { console.remove() }
        try await console.app().test(.router) { client in
            let t = try await client.login()
            let port = try await console.runtime.waitForChannelPort()
            let bundle = try await client.call(.get, "/api/v1/defenders/install-bundle?consoleaddr=ws://127.0.0.1:\(port)", token: t)
            let token = try InstallBundle.decode(try #require(bundle.body["installBundle"]?.stringValue)).token
            let hello = ChannelMessage(type: .hello, payload: DefenderHello(defenderID: "raw-1", appID: "pay").payload)
            let refused = ChannelMessage(type: .audits, id: "1", payload: JSONObject(["events": "not a list"]))
            let good = ChannelMessage(type: .audits, id: "2", payload: JSONObject(["events": [Self.event("after-refusal")]]))
            let exchange = try await channelExchange(port: port, token: token, frames: [hello.text, refused.text, good.text])
            let acks = exchange.messages.filter { $0.type == .ack }
            #expect(acks.map(\.id) == ["1", "2"])
            #expect(acks.first?.payload["refused"]?.stringValue?.contains("audits.payload.events") == true)
            #expect(acks.last?.payload["accepted"] == 1)
        }
    }
}
