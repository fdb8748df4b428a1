import Foundation
import Testing

@testable import ScuteVulns

@Suite struct LoaderTests {
    @Test func loadsEveryJSONFileOfAFolderRecursively() throws {
        let load = try AdvisoryLoader.load(folder: Fixtures.osvFolder)
        #expect(load.documents == 13)
        #expect(load.problems.isEmpty)
        #expect(Set(load.advisories.map(\.id)).count == 13)
        #expect(load.advisories.contains { $0.id == "GO-2024-9401" })
    }

    @Test func aBadFileIsReportedByNameAndTheOthersStillLoad() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder + "/nested", withIntermediateDirectories: true)
        try #"{"id": "GOOD-1", "affected": []}"#.write(toFile: folder + "/nested/good.json", atomically: true, encoding: .utf8)
        try #"{"id": "BAD-1", "affected": [}"#.write(toFile: folder + "/bad.json", atomically: true, encoding: .utf8)
        try #"{"id": 1}"#.write(toFile: folder + "/typed.json", atomically: true, encoding: .utf8)
        let load = try AdvisoryLoader.load(folder: folder)
        #expect(load.advisories.map(\.id) == ["GOOD-1"])
        #expect(load.documents == 3)
        #expect(
            load.problems.map(\.description).sorted() == [
                "\(folder)/bad.json: invalid JSON at byte 29: expected a value",
                "\(folder)/typed.json: id must be a string",
            ]
        )
    }

    @Test func aMissingFolderThrowsNamingIt() {
        #expect(throws: VulnsError.unreadable(path: "/nonexistent/osv", reason: "No such file or directory")) {
            try AdvisoryLoader.load(folder: "/nonexistent/osv")
        }
    }

    @Test func largeFoldersAreReadOnSeveralThreadsInOrder() throws {
        let folder = try Fixtures.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for index in 0..<300 {
            let json =
                #"{"id": "GEN-\#(index)", "modified": "2024-01-01T00:00:00Z", "affected": [{"package": {"ecosystem": "npm", "name": "p\#(index)"}}]}"#
            try json.write(toFile: String(format: "%@/%04d.json", folder, index), atomically: false, encoding: .utf8)
        }
        let load = try AdvisoryLoader.load(folder: folder)
        #expect(load.advisories.map(\.id) == (0..<300).map { "GEN-\($0)" })
    }
}
