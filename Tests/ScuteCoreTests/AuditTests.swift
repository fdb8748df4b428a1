import ScuteCore
import Testing

@Suite struct AuditTests {
    func event(_ msg: String = "nc is denied", time: Int64 = 0, pid: Int32 = 7) -> AuditEvent {
        AuditEvent(
            time: time,
            appID: "payments",
            container: "app",
            type: .process,
            effect: .prevent,
            rule: "payments",
            attackType: .explicitlyDeniedProcess,
            pid: pid,
            ppid: 1,
            processPath: "/usr/bin/nc",
            cmdline: "nc -l 1",
            user: "root",
            msg: msg
        )
    }

    @Test func encodesOneJSONObjectPerLine() throws {
        let line = event(time: 1_795_000_000_123_000_000).jsonLine
        #expect(line.hasSuffix("}\n"))
        #expect(!line.dropLast().contains("\n"))
        let o = try #require(try JSONValue.parse(line).objectValue)
        #expect(o.keys.prefix(6) == ["id", "time", "appID", "container", "type", "effect"])
        #expect(o["attackType"] == "explicitlyDeniedProcess")
        #expect(o["pid"] == 7)
        #expect(o["time"] == "2026-11-18T11:06:40.123Z")
        #expect(o["domain"] == nil)
        #expect(o["count"] == 1)
    }

    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000Z"), (951_782_400_000_000_000, "2000-02-29T00:00:00.000Z"), (-1_000_000, "1969-12-31T23:59:59.999Z"),
    ])
    func times(ns: Int64, text: String) {
        #expect(AuditEvent.iso8601(nanoseconds: ns) == text)
    }

    @Test func idsAreUnique() {
        let ids = Set((0..<1000).map { _ in AuditEvent.newID() })
        #expect(ids.count == 1000)
        #expect(ids.allSatisfy { $0.count == 36 })
    }

    @Test func aggregatesRepeatsWithinTheWindow() {
        var agg = AuditAggregator(window: 1000)
        #expect(agg.add(event(pid: 1), now: 0).map(\.count) == [1])
        #expect(agg.add(event(pid: 2), now: 10).isEmpty)
        #expect(agg.add(event(pid: 3), now: 20).isEmpty)
        // A different event is not folded in.
        #expect(agg.add(event("other", pid: 4), now: 30).map(\.msg) == ["other"])
        #expect(agg.flush(now: 999).isEmpty)
        let summary = agg.flush(now: 1000)
        #expect(summary.map(\.count) == [2])
        #expect(summary.first?.pid == 3)
        // A new window starts after the old one closed.
        #expect(agg.add(event(pid: 5), now: 1500).map(\.count) == [1])
        #expect(agg.flush(now: 0, force: true).isEmpty)
    }
}
