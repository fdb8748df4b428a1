import Foundation
import Testing
import ZIPFoundation

@testable import ScuteVulns
@testable import ScuteVulnsZip

@Suite struct ZipArchiveTests {
    /// Zips the fixture records flat, as OSV publishes `all.zip`.
    private func makeZip(extra: [String: String] = [:]) throws -> (zip: String, folder: String) {
        let folder = try Fixtures.temporaryFolder()
        let zip = folder + "/all.zip"
        let archive = try Archive(url: URL(fileURLWithPath: zip), accessMode: .create)
        let files = try FileManager.default.subpathsOfDirectory(atPath: Fixtures.osvFolder).filter { $0.hasSuffix(".json") }
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: Fixtures.osvFolder + "/" + file))
            try archive.addEntry(
                with: (file as NSString).lastPathComponent,
                type: .file,
                uncompressedSize: Int64(data.count),
                compressionMethod: .deflate
            ) { position, size in data.subdata(in: Int(position)..<Int(position) + size) }
        }
        for (name, text) in extra {
            let data = Data(text.utf8)
            try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count)) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return (zip, folder)
    }

    @Test func aZipHoldsTheSameRecordsAsTheFolder() throws {
        let (zip, folder) = try makeZip()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(ZipAdvisoryArchive.isZip(path: zip))
        #expect(!ZipAdvisoryArchive.isZip(path: Fixtures.osvFolder + "/npm/GHSA-9301-cccc-dddd.json"))
        let load = try ZipAdvisoryArchive.load(path: zip)
        #expect(load.problems.isEmpty)
        #expect(load.advisories.sorted { $0.id < $1.id } == Fixtures.advisories.sorted { $0.id < $1.id })
    }

    @Test func aBadEntryIsReportedByArchiveAndEntryName() throws {
        let (zip, folder) = try makeZip(extra: ["broken.json": "{\"id\": ", "notes.txt": "not a record"])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let load = try ZipAdvisoryArchive.load(path: zip)
        #expect(load.advisories.count == Fixtures.advisories.count)
        #expect(load.problems.map(\.description) == ["\(zip)!broken.json: invalid JSON at byte 7: expected a value"])
    }

    @Test func aFileThatIsNotAZipThrows() {
        let path = Fixtures.osvFolder + "/other/README.txt"
        #expect(throws: VulnsError.self) { try ZipAdvisoryArchive.load(path: path) }
    }
}
