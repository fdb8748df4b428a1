import Foundation
import Testing

/// The defender's own compliance scan of its container, and the "modified binary" launch finding, on a
/// small root of the test's (a dpkg database owning one program).
@Suite(.serialized) struct ComplianceMonitorTests {
    /// A root with a dpkg database in which package `tools` owns /usr/bin/tool (a copy of `program`).
    static func root(tool program: String) throws -> (root: String, tool: String) {
        let root = Harness.tempPath("root")
        let fm = FileManager.default
        for dir in ["var/lib/dpkg/info", "usr/bin", "tmp", "etc"] {
            try fm.createDirectory(atPath: root + "/" + dir, withIntermediateDirectories: true)
        }
        let tool = root + "/usr/bin/tool"
        try fm.copyItem(atPath: program, toPath: tool)
        let md5 = try Harness.run(["/usr/bin/md5sum", tool]).stdout.prefix(32)
        try "Package: tools\nStatus: install ok installed\nVersion: 1.0-1\nArchitecture: amd64\n\n"
            .write(toFile: root + "/var/lib/dpkg/status", atomically: true, encoding: .utf8)
        try "\(md5)  usr/bin/tool\n".write(toFile: root + "/var/lib/dpkg/info/tools.md5sums", atomically: true, encoding: .utf8)
        return (root, tool)
    }

    /// Shell that waits (at most 60 s) for the first full scan's report: from then on the package index judges
    /// launches. The scan runs at low priority, so a loaded machine may take a while.
    static func afterFirstScan(_ report: String) -> String {
        "i=0; while [ $i -lt 240 ] && [ ! -s \(report) ]; do sleep 0.25; i=$((i+1)); done; "
    }

    static func waitForReport(_ path: String, containing text: String, seconds: Double = 20) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let report = try? String(contentsOfFile: path, encoding: .utf8), report.contains(text) { return report }
            usleep(100_000)
        }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// An rpm image (rpmdb.sqlite, as rpm 4.16+ writes it): its package's altered binary is found by the
    /// defender, which reads the database through the system SQLite.
    @Test func anRpmImagesAlteredBinaryIsFound() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/rpmbuild") else {
            Issue.record("rpmbuild is missing (Debian package rpm; scripts/test.sh installs it)")
            return
        }
        let work = Harness.tempPath("rpm")
        let root = work + "/root"
        try FileManager.default.createDirectory(atPath: work + "/SPECS", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        // The spec the pytests use too.
        let spec = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("pytests/fixtures/hello-scute.spec")
        try FileManager.default.copyItem(atPath: spec.path, toPath: work + "/SPECS/hello.spec")
        let built = try Harness.run(["/usr/bin/rpmbuild", "--define", "_topdir \(work)", "-bb", work + "/SPECS/hello.spec"])
        #expect(built.status == 0, "\(built.stderr)")
        let installed = try Harness.run([
            "/usr/bin/rpm", "--root", root, "--nodeps", "--dbpath", "/var/lib/rpm", "-i", work + "/RPMS/noarch/hello-scute-1.0-1.noarch.rpm",
        ])
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(FileManager.default.fileExists(atPath: root + "/var/lib/rpm/rpmdb.sqlite"))
        let handle = try #require(FileHandle(forWritingAtPath: root + "/usr/bin/hello-scute"))
        handle.seekToEndOfFile()
        handle.write(Data("# altered\n".utf8))
        handle.closeFile()
        let report = Harness.tempPath("rpm-compliance.json")
        let r = try Harness.defend(["/bin/sleep", "2"], options: ["--scan-root", root, "--compliance-report", report])
        #expect(r.status == 0)
        let text = try #require(Self.waitForReport(report, containing: "hello-scute"), "no report naming the rpm package's file")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(
            findings.contains { $0["check"] as? Int == 448 && $0["path"] as? String == "/usr/bin/hello-scute" && $0["kind"] as? String == "changed" }
        )
        #expect((json["errors"] as? [Any])?.isEmpty == true, "\(text)")
    }

    @Test func aMinerDroppedInAWritableFolderIsReportedWithoutEverRunning() throws {
        let marker = try Harness.markerProgram(name: "tool-source")
        let (root, _) = try Self.root(tool: marker)
        let report = Harness.tempPath("compliance.json")
        // The app drops a copy of sleep as xmrig (never run), then launches a program no package owns:
        // the monitor looks at the writable folders again.
        let r = try Harness.defend(
            // The app stays until the report names the miner (bounded): the scan runs at low priority and a
            // loaded machine may take a while to give it a turn; the defender stops with the app.
            [
                "/bin/sh", "-c",
                "sleep 1; cp /bin/sleep \(root)/tmp/xmrig; /bin/true; "
                    + "i=0; while [ $i -lt 240 ] && ! grep -q xmrig \(report) 2>/dev/null; do sleep 0.25; i=$((i+1)); done",
            ],
            options: ["--scan-root", root, "--compliance-report", report],
            environment: ["SCUTE_SCAN_ROOT": root, "DB_PASSWORD": "hunter2-but-longer"],
            timeout: 90
        )
        #expect(r.status == 0)
        let text = try #require(Self.waitForReport(report, containing: "xmrig"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let findings = try #require(json["findings"] as? [[String: Any]])
        #expect(findings.contains { $0["check"] as? Int == 426 && $0["path"] as? String == "/tmp/xmrig" })
        // 424 on the app's environment, without the value.
        #expect(findings.contains { $0["check"] as? Int == 424 && $0["variable"] as? String == "DB_PASSWORD" })
        #expect(!text.contains("hunter2"))
    }

    @Test func aLaunchOfAnAlteredPackageBinaryIsAModifiedBinary() throws {
        let marker = try Harness.markerProgram(name: "tool-source")
        let (root, tool) = try Self.root(tool: marker)
        let proof = Harness.tempPath("ran")
        let report = Harness.tempPath("compliance.json")
        // The first run finds the binary intact; then a byte is appended and it is launched again.
        let policy = #"{"rules": [{"name": "m", "processes": {"effect": "alert", "modifiedBinaries": "prevent"}}]}"#
        let r = try Harness.defend(
            policy: policy,
            ["/bin/sh", "-c", Self.afterFirstScan(report) + "\(tool) \(proof).1; echo x >> \(tool); \(tool) \(proof).2; echo rc=$?"],
            options: ["--scan-root", root, "--compliance-report", report],
            timeout: 90
        )
        #expect(Harness.exists(proof + ".1"))
        #expect(!Harness.exists(proof + ".2"))
        #expect(r.stdout.contains("rc=137"))
        let a = try #require(r.audits.first { $0[string: "attackType"] == "modifiedBinary" })
        #expect(a[string: "effect"] == "prevent")
        #expect(a[string: "msg"]?.contains("of package tools differs from what the package installed") == true)
    }

    @Test func renamingTheOriginalBackOverThePathDoesNotHideTheLaunchedCopy() throws {
        let marker = try Harness.markerProgram(name: "tool-source")
        let (root, tool) = try Self.root(tool: marker)
        let proof = Harness.tempPath("ran")
        let policy = #"{"rules": [{"name": "m", "processes": {"effect": "alert", "modifiedBinaries": "prevent"}}]}"#
        // The altered binary is opened, the intact one renamed back over its path, and the open (now
        // unlinked) altered file launched: /proc/PID/exe says "PATH (deleted)" and the path holds a good file.
        let report = Harness.tempPath("compliance.json")
        let script =
            Self.afterFirstScan(report) + "cp \(tool) \(tool).good; echo x >> \(tool); exec 3< \(tool); mv \(tool).good \(tool); "
            + "/proc/self/fd/3 \(proof); echo rc=$?"
        let r = try Harness.defend(
            policy: policy,
            ["/bin/sh", "-c", script],
            options: ["--scan-root", root, "--compliance-report", report],
            timeout: 90
        )
        #expect(!Harness.exists(proof))
        #expect(r.stdout.contains("rc=137"), "\(r.stdout) \(r.stderr)")
        #expect(r.audits.contains { $0[string: "attackType"] == "modifiedBinary" })
    }
}
