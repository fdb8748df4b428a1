import Foundation
import Testing

@testable import ScuteScan
@testable import ScuteScanSQLite

/// apk and rpm databases made by the tests.
@Suite struct ApkRpmTests {
    func q1(_ content: String) -> String {
        "Q1" + Data(FileDigest.digest(.sha1, of: Array(content.utf8))).base64EncodedString()
    }

    @Test func apkDatabase() throws {
        let root = TestRoot()
        root.write("bin/busybox", "busybox binary\n", mode: 0o755)
        root.write("etc/os-release", "NAME=Alpine\n")
        root.symlink("bin/sh", to: "/bin/busybox")
        root.write(
            "lib/apk/db/installed",
            """
            C:Q1abc=
            P:busybox
            V:1.36.1-r15
            A:x86_64
            o:busybox
            F:bin
            R:busybox
            a:0:0:755
            Z:\(q1("busybox binary\n"))
            R:sh
            Z:\(q1("/bin/busybox"))
            R:gone
            Z:\(q1("gone\n"))

            P:alpine-release
            V:3.19.1-r0
            o:alpine-base
            F:etc
            R:os-release
            Z:\(q1("NAME=Alpine\n"))

            """
        )
        var report = try ImageScanner(root: root.path, options: ScanOptions(checks: [.alteredPackageFiles])).scan()
        #expect(report.findings.map(\.path) == ["/bin/gone"])
        #expect(report.findings.first?.kind == "missing")
        root.append("bin/busybox", [0])
        report = try ImageScanner(root: root.path, options: ScanOptions(checks: [.alteredPackageFiles])).scan()
        #expect(report.findings(448, kind: "changed").map(\.path) == ["/bin/busybox"])
        let inventory = try ImageScanner(root: root.path).inventory()
        #expect(
            inventory.packages == [
                InventoryPackage(ecosystem: .alpine, name: "alpine-release", version: "3.19.1-r0", source: "alpine-base", sourceVersion: "3.19.1-r0"),
                InventoryPackage(ecosystem: .alpine, name: "busybox", version: "1.36.1-r15", source: "busybox", sourceVersion: "1.36.1-r15"),
            ]
        )
    }

    @Test func busyboxOnlyRootScansCleanly() throws {
        let busybox = try #require(["/bin/busybox", "/usr/bin/busybox"].first { FileManager.default.fileExists(atPath: $0) }, "skipped: no busybox")
        let root = TestRoot()
        root.makeFolder("bin")
        try run("/bin/cp", [busybox, root.path + "/bin/busybox"])
        for applet in ["sh", "ls", "cat"] { root.symlink("bin/" + applet, to: "busybox") }
        let (report, inventory) = try ImageScanner(root: root.path).scanWithInventory()
        #expect(report.findings.isEmpty)
        #expect(report.errors.isEmpty)
        #expect(inventory.packages.isEmpty)
    }

    @Test func rpmSQLiteDatabase() throws {
        try #require(which("sqlite3") != nil, "skipped: sqlite3 is not installed")
        let root = TestRoot()
        root.write("usr/bin/bash", "bash binary\n", mode: 0o755)
        root.write("etc/bashrc", "# edited by the admin\n")
        let blob = RpmHeaderBuilder.package(
            name: "bash",
            epoch: 1,
            version: "5.2.15",
            release: "2.fc39",
            sourceRPM: "bash-5.2.15-2.fc39.src.rpm",
            files: [
                ("/usr/bin/", "bash", hexString(FileDigest.digest(.sha256, of: Array("bash binary\n".utf8))), 0o100755, 0),
                ("/usr/bin/", "sh", "", 0o120777, 0),
                ("/usr/share/doc/bash/", "README", hexString(FileDigest.digest(.sha256, of: Array("readme\n".utf8))), 0o100644, 0),
                ("/etc/", "bashrc", hexString(FileDigest.digest(.sha256, of: Array("# default\n".utf8))), 0o100644, 1),
            ]
        )
        root.makeFolder("var/lib/rpm")
        let hex = blob.map { String(format: "%02x", $0) }.joined()
        try run(
            "/usr/bin/sqlite3",
            [root.path + "/var/lib/rpm/rpmdb.sqlite"],
            input:
                "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);\nINSERT INTO Packages (blob) VALUES (X'\(hex)');\n"
        )
        let options = ScanOptions(checks: [.alteredPackageFiles], rpmHeaderSource: SystemRpmHeaderSource())
        var report = try ImageScanner(root: root.path, options: options).scan()
        #expect(report.errors == [])
        #expect(report.findings.map(\.path) == ["/usr/share/doc/bash/README"])
        #expect(report.findings.first?.kind == "missing")
        root.append("usr/bin/bash", [0])
        report = try ImageScanner(root: root.path, options: options).scan()
        #expect(report.findings(448, kind: "changed").map(\.path) == ["/usr/bin/bash"])
        var withConfig = options
        withConfig.verifyConfigurationFiles = true
        report = try ImageScanner(root: root.path, options: withConfig).scan()
        #expect(report.findings(448, kind: "changed").map(\.path) == ["/etc/bashrc", "/usr/bin/bash"])

        let inventory = try ImageScanner(root: root.path, options: options).inventory()
        #expect(
            inventory.packages == [
                InventoryPackage(ecosystem: .rpm, name: "bash", version: "1:5.2.15-2.fc39", source: "bash", sourceVersion: "1:5.2.15-2.fc39")
            ]
        )
    }

    @Test func olderRpmDatabaseIsUnsupportedNotACrash() throws {
        let root = TestRoot()
        root.write("var/lib/rpm/Packages", [UInt8](repeating: 0, count: 4096))
        let options = ScanOptions(checks: [.alteredPackageFiles], rpmHeaderSource: SystemRpmHeaderSource())
        let report = try ImageScanner(root: root.path, options: options).scan()
        #expect(report.errors.contains { $0.path == "/var/lib/rpm/Packages" && $0.message.contains("unsupported") })
    }

    /// The database is the app's to shape: a FIFO (which would block SQLite's open for good) or a view over an
    /// endless recursive query is reported, and the scan completes.
    @Test func aHostileRpmDatabaseIsReportedAndTheScanCompletes() throws {
        try #require(which("sqlite3") != nil, "skipped: sqlite3 is not installed")
        let fifo = TestRoot()
        fifo.makeFolder("var/lib/rpm")
        #expect(mkfifo(fifo.path + "/var/lib/rpm/rpmdb.sqlite", 0o644) == 0)
        let options = ScanOptions(checks: [.alteredPackageFiles], rpmHeaderSource: SystemRpmHeaderSource())
        var report = try ImageScanner(root: fifo.path, options: options).scan()
        #expect(report.errors.contains { $0.path == "/var/lib/rpm/rpmdb.sqlite" && $0.message.contains("not a regular file") })

        let endless = TestRoot()
        endless.makeFolder("var/lib/rpm")
        try run(
            "/usr/bin/sqlite3",
            [endless.path + "/var/lib/rpm/rpmdb.sqlite"],
            input: "CREATE VIEW Packages AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT zeroblob(10) AS blob FROM n;\n"
        )
        report = try ImageScanner(root: endless.path, options: options).scan()
        #expect(report.errors.contains { $0.path == "/var/lib/rpm/rpmdb.sqlite" && $0.message.contains("cannot read") })
    }

    @Test func corruptHeaderIsAnError() {
        #expect(throws: ScanError.self) { try RpmHeader(blob: [0, 0, 0, 9, 0, 0, 0, 1]) }
    }
}

/// Writes rpm header blobs: index entries (tag, type, offset, count) then the data store, big-endian.
enum RpmHeaderBuilder {
    enum Value {
        case string(String)
        case strings([String])
        case int32([Int32])
        case int16([UInt16])
    }

    static func package(
        name: String,
        epoch: Int32?,
        version: String,
        release: String,
        sourceRPM: String,
        files: [(String, String, String, UInt16, Int32)]
    )
        -> [UInt8]
    {
        var dirNames: [String] = []
        var dirIndexes: [Int32] = []
        for file in files {
            if !dirNames.contains(file.0) { dirNames.append(file.0) }
            dirIndexes.append(Int32(dirNames.firstIndex(of: file.0)!))
        }
        var tags: [(Int32, Value)] = [
            (1000, .string(name)), (1001, .string(version)), (1002, .string(release)), (1044, .string(sourceRPM)),
            (1030, .int16(files.map(\.3))), (1035, .strings(files.map(\.2))), (1037, .int32(files.map(\.4))),
            (1116, .int32(dirIndexes)), (1117, .strings(files.map(\.1))), (1118, .strings(dirNames)), (5011, .int32([8])),
        ]
        if let epoch { tags.append((1003, .int32([epoch]))) }
        return build(tags)
    }

    static func build(_ tags: [(Int32, Value)]) -> [UInt8] {
        var index: [UInt8] = []
        var store: [UInt8] = []
        for (tag, value) in tags {
            let type: Int32
            let count: Int
            switch value {
            case .string(let text):
                (type, count) = (6, 1)
                append(tag, type, &store, count, &index) { $0 += Array(text.utf8) + [0] }
            case .strings(let texts):
                (type, count) = (8, texts.count)
                append(tag, type, &store, count, &index) { store in for text in texts { store += Array(text.utf8) + [0] } }
            case .int32(let numbers):
                while store.count % 4 != 0 { store.append(0) }
                (type, count) = (4, numbers.count)
                append(tag, type, &store, count, &index) { store in for number in numbers { store += bigEndian(UInt32(bitPattern: number)) } }
            case .int16(let numbers):
                while store.count % 2 != 0 { store.append(0) }
                (type, count) = (3, numbers.count)
                append(tag, type, &store, count, &index) { store in
                    for number in numbers { store += Array(bigEndian(UInt32(number)).suffix(2)) }
                }
            }
        }
        return bigEndian(UInt32(tags.count)) + bigEndian(UInt32(store.count)) + index + store
    }

    private static func append(
        _ tag: Int32,
        _ type: Int32,
        _ store: inout [UInt8],
        _ count: Int,
        _ index: inout [UInt8],
        _ write: (inout [UInt8]) -> Void
    ) {
        index += bigEndian(UInt32(bitPattern: tag)) + bigEndian(UInt32(bitPattern: type)) + bigEndian(UInt32(store.count)) + bigEndian(UInt32(count))
        write(&store)
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xff), UInt8(value >> 8 & 0xff), UInt8(value & 0xff)]
    }
}
