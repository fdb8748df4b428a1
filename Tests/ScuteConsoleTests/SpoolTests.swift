import Foundation
import ScuteCore
import ScuteUplink
import Testing

@Suite("Uplink audit spool")
struct SpoolTests {
    func folder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("scute-spool-\(UUID().uuidString)").path
    }

    @Test func batchesSurviveReopeningInOrderAndHalfWrittenFilesAreIgnored() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        do {
            let spool = try AuditSpool(directory: dir)
            try spool.append(events(0..<3).map(\.json))
            try spool.append(events(3..<5).map(\.json))
        }
        // A crash between write and rename leaves a temporary file: it is not a batch.
        #expect(FileManager.default.createFile(atPath: dir + "/.00000000000000000003.jsonl.tmp", contents: Data("{\"id\":".utf8)))
        let reopened = try AuditSpool(directory: dir)
        #expect(reopened.pending() == [1, 2])
        #expect(reopened.events(1).compactMap { $0["id"]?.stringValue } == ["audit-0", "audit-1", "audit-2"])
        try reopened.append(events(5..<6).map(\.json))
        #expect(reopened.pending() == [1, 2, 3])
        reopened.remove(1)
        #expect(reopened.pending() == [2, 3])
    }

    @Test func aFullSpoolDropsTheOldestBatches() throws {
        let dir = folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let spool = try AuditSpool(directory: dir, maxBatches: 3)
        for i in 0..<5 { try spool.append(events(i..<(i + 1)).map(\.json)) }
        #expect(spool.pending() == [3, 4, 5])
        #expect(spool.dropped == 2)
    }
}
