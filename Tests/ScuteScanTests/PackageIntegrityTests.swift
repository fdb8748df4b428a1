import Foundation
import Testing

@testable import ScuteScan

/// Check 448 on small hand-written dpkg roots.
@Suite struct PackageIntegrityTests {
    static let coreutils = FakeDpkgPackage(
        name: "coreutils",
        version: "9.1-1",
        files: [("usr/bin/ls", "ls binary\n"), ("usr/bin/tail", "tail binary\n"), ("usr/share/doc/coreutils/README", "doc\n")],
        conffiles: [("etc/coreutils.conf", "setting=1\n")]
    )

    func scan(_ root: TestRoot, _ options: ScanOptions = ScanOptions(checks: [.alteredPackageFiles])) throws -> ScanReport {
        try ImageScanner(root: root.path, options: options).scan()
    }

    @Test func untouchedRootHasNoFindings() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        let report = try scan(root)
        #expect(report.findings.isEmpty)
        #expect(report.exitCode == 0)
    }

    @Test func appendedByteIsChanged() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        root.append("usr/bin/ls", [0])
        let report = try scan(root)
        let changed = report.findings(448, kind: "changed")
        #expect(changed.map(\.path) == ["/usr/bin/ls"])
        #expect(changed.first?.package == "coreutils")
        #expect(report.exitCode == 1)
    }

    @Test func deletedFileIsMissingNotChanged() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        root.remove("usr/bin/tail")
        let report = try scan(root)
        #expect(report.findings(448, kind: "missing").map(\.path) == ["/usr/bin/tail"])
        #expect(report.findings(448, kind: "changed").isEmpty)
    }

    @Test func editedConffileOnlyWhenAsked() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        root.write("etc/coreutils.conf", "setting=2\n")
        #expect(try scan(root).findings.isEmpty)
        let asked = try scan(root, ScanOptions(checks: [.alteredPackageFiles], verifyConfigurationFiles: true))
        #expect(asked.findings(448, kind: "changed").map(\.path) == ["/etc/coreutils.conf"])
    }

    @Test func mergedUsrIsFollowedInsideTheRoot() throws {
        let root = TestRoot()
        root.installDpkg([FakeDpkgPackage(name: "coreutils", files: [("bin/ls", "ls\n")])])
        // dpkg says bin/ls; the file lives at usr/bin/ls behind the bin -> usr/bin link.
        root.write("usr/bin/ls", "ls\n", mode: 0o755)
        root.remove("bin/ls")
        _ = try? FileManager.default.removeItem(atPath: root.path + "/bin")
        root.symlink("bin", to: "usr/bin")
        #expect(try scan(root).findings.isEmpty)
        root.append("usr/bin/ls", [1])
        #expect(try scan(root).findings(448, kind: "changed").map(\.path) == ["/usr/bin/ls"])
    }

    @Test func symlinkLoopIsReportedAndTheScanCompletes() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils, FakeDpkgPackage(name: "loopy", files: [("opt/loop/tool", "tool\n")])])
        _ = try? FileManager.default.removeItem(atPath: root.path + "/opt/loop")
        root.symlink("opt/loop", to: "/opt/loop2")
        root.symlink("opt/loop2", to: "loop")
        root.append("usr/bin/ls", [0])
        let report = try scan(root)
        #expect(report.findings(448, kind: "symlink").map(\.path) == ["/opt/loop/tool"])
        #expect(report.errors.contains { $0.path == "/opt/loop" && $0.message.contains("loop") })
        // The rest of the scan still ran.
        #expect(report.findings(448, kind: "changed").map(\.path) == ["/usr/bin/ls"])
    }

    @Test func fileReplacedByALinkIsReported() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        root.remove("usr/bin/tail")
        root.symlink("usr/bin/tail", to: "/usr/bin/ls")
        let finding = try #require(try scan(root).findings(448, kind: "symlink").first)
        #expect(finding.path == "/usr/bin/tail")
        #expect(finding.detail?.contains("/usr/bin/ls") == true)
    }

    @Test func localDiversionIsInformation() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        // `dpkg-divert --local --rename /usr/bin/tail`: the package's file now lives at tail.distrib.
        root.write("var/lib/dpkg/diversions", "/usr/bin/tail\n/usr/bin/tail.distrib\n:\n")
        root.write("usr/bin/tail.distrib", "tail binary\n", mode: 0o755)
        root.write("usr/bin/tail", "a local replacement\n", mode: 0o755)
        let report = try scan(root)
        let diverted = report.findings(448, kind: "diverted")
        #expect(diverted.map(\.path) == ["/usr/bin/tail"])
        #expect(diverted.first?.severity == .info)
        #expect(report.findings.filter { $0.severity != .info }.isEmpty)
        #expect(report.exitCode == 0)
    }

    @Test func pathExcludeMeansAbsentIsExpected() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        root.write("etc/dpkg/dpkg.cfg.d/excludes", "path-exclude=/usr/share/doc/*\npath-include=/usr/share/doc/*/copyright\n")
        root.remove("usr/share/doc/coreutils/README")
        #expect(try scan(root).findings.isEmpty)
    }

    @Test func distrolessStatusFolder() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils], statusFolder: true)
        root.append("usr/bin/ls", [0])
        let report = try scan(root)
        #expect(report.findings(448, kind: "changed").map(\.path) == ["/usr/bin/ls"])
        let inventory = try ImageScanner(root: root.path).inventory()
        #expect(inventory.packages.contains { $0.ecosystem == "Debian" && $0.name == "coreutils" && $0.version == "9.1-1" })
    }

    @Test func fifoAndHugeFilesNeverBlockTheScan() throws {
        let root = TestRoot()
        root.installDpkg([Self.coreutils])
        root.makeFolder("run")
        #expect(mkfifo(root.path + "/run/pipe", 0o644) == 0)
        root.write("big.bin", [UInt8](repeating: 1, count: 5000))
        var options = ScanOptions()
        options.maximumFileSize = 4096
        let report = try ImageScanner(root: root.path, options: options).scan()
        #expect(report.errors.contains { $0.path == "/big.bin" && $0.message.contains("limit") })
        #expect(!report.errors.contains { $0.path == "/run/pipe" })
    }

    @Test func runtimeIndexVerifiesExecutables() throws {
        let root = TestRoot()
        root.installDpkg([FakeDpkgPackage(name: "coreutils", files: [("bin/ls", "ls\n"), ("bin/tail", "tail\n")])])
        let index = try PackageFileIndex(root: root.path)
        #expect(index.verify("/bin/ls") == .intact(package: "coreutils"))
        #expect(index.verify("/usr/local/bin/tool") == .notOwned)
        root.append("bin/tail", [0])
        #expect(index.verify("/bin/tail") == .modified(package: "coreutils"))
        root.remove("bin/ls")
        #expect(index.verify("/bin/ls") == .unreadable(package: "coreutils", reason: "path does not resolve"))
    }
}
