#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// apk's database, `lib/apk/db/installed`: one block per package, `P:` name, `V:` version, `o:` origin,
/// `F:` folder, `R:` file in that folder, `Z:` the file's checksum (`Q1` + base64 SHA-1).
enum ApkDatabase {
    static let path = "lib/apk/db/installed"

    static func read(_ root: RootDirectory) -> PackageDatabaseContents? {
        guard let bytes = root.readSmallFile(path, limit: 256 << 20) else { return nil }
        return parse(String(decoding: bytes, as: UTF8.self))
    }

    static func parse(_ text: String) -> PackageDatabaseContents {
        var contents = PackageDatabaseContents()
        var name: String?
        var version: String?
        var origin: String?
        var folder = ""
        var file: String?
        var records: [(path: String, checksum: String)] = []

        func finishPackage() {
            if let name, let version {
                contents.packages.append(
                    InventoryPackage(ecosystem: .alpine, name: name, version: version, source: origin ?? name, sourceVersion: version)
                )
                for record in records {
                    guard let (algorithm, digest) = decodeChecksum(record.checksum) else { continue }
                    contents.files.append(
                        PackageFileRecord(path: record.path, package: name, algorithm: algorithm, digest: digest, isConfiguration: false)
                    )
                }
            }
            (name, version, origin, folder, file) = (nil, nil, nil, "", nil)
            records.removeAll()
        }

        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty {
                finishPackage()
                continue
            }
            guard line.count >= 2, line[line.index(after: line.startIndex)] == ":" else { continue }
            let value = String(line.dropFirst(2))
            switch line.first {
            case "P": name = value
            case "V": version = value
            case "o": origin = value
            case "F":
                folder = value
                file = nil
            case "R": file = folder.isEmpty ? value : folder + "/" + value
            case "Z":
                if let file { records.append((file, value)) }
            default: break
            }
        }
        finishPackage()
        return contents
    }

    /// `Q1<base64 SHA-1>` or `Q2<base64 SHA-256>` to an algorithm and lower-case hex.
    static func decodeChecksum(_ checksum: String) -> (DigestAlgorithm, String)? {
        let algorithm: DigestAlgorithm
        if checksum.hasPrefix("Q1") {
            algorithm = .sha1
        } else if checksum.hasPrefix("Q2") {
            algorithm = .sha256
        } else {
            return nil
        }
        guard let data = Data(base64Encoded: String(checksum.dropFirst(2))), data.count == algorithm.byteCount else { return nil }
        return (algorithm, hexString(Array(data)))
    }
}
