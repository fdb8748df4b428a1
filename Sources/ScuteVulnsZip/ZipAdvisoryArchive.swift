import Foundation
import ScuteVulns
import ZIPFoundation

/// OSV records from a zip, as OSV publishes them per ecosystem (`all.zip`: one JSON file per record).
package enum ZipAdvisoryArchive {
    /// Reads every `*.json` entry of the zip at `path` and parses them on all cores. A bad entry is reported in
    /// `problems`; an unreadable zip throws `VulnsError`.
    package static func load(path: String) throws -> AdvisoryLoad {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw VulnsError.unreadable(path: path, reason: "not a readable zip (\(error))")
        }
        var documents: [(name: String, bytes: [UInt8])] = []
        var problems: [VulnsError] = []
        for entry in archive where entry.type == .file && entry.path.hasSuffix(".json") {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(Int(clamping: entry.uncompressedSize))
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in bytes.append(contentsOf: chunk) }
                documents.append((name: "\(path)!\(entry.path)", bytes: bytes))
            } catch {
                problems.append(VulnsError.unreadable(path: "\(path)!\(entry.path)", reason: "\(error)"))
            }
        }
        var load = AdvisoryLoader.load(documents: documents)
        load.problems = problems + load.problems
        load.documents += problems.count
        return load
    }

    /// Whether the file at `path` starts like a zip (`PK\u{3}\u{4}`, or an empty zip's `PK\u{5}\u{6}`).
    package static func isZip(path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let magic = (try? handle.read(upToCount: 4)) ?? Data()
        return magic == Data([0x50, 0x4B, 0x03, 0x04]) || magic == Data([0x50, 0x4B, 0x05, 0x06])
    }
}
