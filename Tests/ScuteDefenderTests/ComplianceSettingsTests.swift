import Foundation
import ScuteCore
import ScuteScan
import Synchronization
import Testing

@testable import ScuteDefender

/// The console's compliance settings in the defender: which checks run, and custom checks (shell scripts)
/// whose failures become findings.
@Suite struct ComplianceSettingsTests {
    @Test func theConsolesSettingsAreRead() throws {
        let json: JSONValue = [
            "rule": "payments", "checks": [425, 448, 7],
            "customChecks": [
                ["id": 9000, "name": "Marker", "script": "test -f /m", "severity": "critical", "timeoutSeconds": 900],
                ["id": 9001, "script": "true"],
                ["name": "no id", "script": "true"],
            ],
        ]
        let settings = try #require(ComplianceSettings(json: json))
        #expect(settings.rule == "payments")
        #expect(settings.checks == [.privateKeys, .alteredPackageFiles])
        #expect(settings.customChecks.map(\.id) == [9000, 9001])
        #expect(settings.customChecks[0].severity == .critical && settings.customChecks[0].timeoutSeconds == 300)
        #expect(settings.customChecks[1].severity == .medium && settings.customChecks[1].name == "Custom check 9001")
        #expect(ComplianceSettings(json: ["rule": "x"]) == nil)
        let live = LiveCompliance()
        #expect(live.current.settings == .builtIn && live.current.generation == 0)
        #expect(live.update(settings))
        #expect(!live.update(settings))
        #expect(live.current.generation == 1)
    }

    @Test func aFailingCustomCheckIsAFindingWithItsOutputAndAPassingOneIsNot() throws {
        let failing = ComplianceSettings.CustomCheck(
            id: 9004,
            name: "No world-writable etc",
            script: "echo \"/etc is writable\"; echo HOME=$HOME; exit 2",
            severity: .high,
            timeoutSeconds: 10
        )
        let finding = try #require(failing.run())
        #expect(finding.check == 9004 && finding.title == "No world-writable etc" && finding.severity == .high)
        #expect(finding.kind == "failed")
        #expect(finding.detail == "exit status 2: /etc is writable\nHOME=/")
        let passing = ComplianceSettings.CustomCheck(id: 9005, name: "ok", script: "exit 0", severity: .low, timeoutSeconds: 10)
        #expect(passing.run() == nil)
        let slow = ComplianceSettings.CustomCheck(id: 9006, name: "slow", script: "echo begun; sleep 30", severity: .low, timeoutSeconds: 1)
        let timedOut = try #require(slow.run())
        #expect(timedOut.kind == "timeout" && timedOut.detail == "timed out after 1 s: begun")
        // The output kept with a finding is bounded.
        let noisy = ComplianceSettings.CustomCheck(id: 9007, name: "noisy", script: "yes | head -c 50000; exit 1", severity: .low, timeoutSeconds: 10)
        let long = try #require(noisy.run()?.detail)
        #expect(long.utf8.count < 4200 && long.hasSuffix("..."))
    }

    /// The status pipe is the runner's, not the script's: a script cannot report a pass it did not earn.
    @Test func aScriptCannotForgeItsStatus() throws {
        let forger = ComplianceSettings.CustomCheck(id: 9008, name: "forger", script: "echo 0 >&3; exit 5", severity: .low, timeoutSeconds: 10)
        let finding = try #require(forger.run())
        #expect(finding.kind == "failed" && finding.detail?.hasPrefix("exit status 5") == true)
    }

    /// The monitor runs what the settings say, and scans again when they change.
    @Test func theMonitorFollowsTheSettingsAndRescansWhenTheyChange() throws {
        let root = Harness.tempPath("settings-root")
        try FileManager.default.createDirectory(atPath: root + "/usr/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "/bin/true", toPath: root + "/usr/bin/xmrig")
        let live = LiveCompliance()
        let ignoreMiners = ComplianceSettings(
            rule: "r",
            checks: [.privateKeys],
            customChecks: [.init(id: 9000, name: "Always fails", script: "echo nope; exit 1", severity: .medium, timeoutSeconds: 5)]
        )
        live.update(ignoreMiners)
        let reports = Mutex<[ScanReport]>([])
        var settings = ComplianceMonitor.Settings()
        settings.root = root
        let monitor = ComplianceMonitor(settings: settings, environment: [], compliance: live) { report in
            guard report.kind == .compliance, let scan = try? JSONDecoder().decode(ScanReport.self, from: Data(report.json)) else { return }
            reports.withLock { $0.append(scan) }
        }
        #expect(monitor.start())
        let first = try #require(Self.wait(for: reports) { !$0.isEmpty })
        #expect(first.findings.map(\.check) == [9000])
        #expect(first.findings.first?.detail == "exit status 1: nope")
        // Miners alert now, and the custom check is gone.
        live.update(ComplianceSettings(rule: "r", checks: [.cryptoMiners], customChecks: []))
        let second = try #require(Self.wait(for: reports) { $0.count >= 2 })
        #expect(second.findings.map(\.check) == [426])
        #expect(second.findings.first?.path == "/usr/bin/xmrig")
    }

    /// Through the sidecar (Fargate): the compliance settings ride on the local channel's policy message, and
    /// the defender's report carries the custom check's finding.
    @Test func theSidecarsPolicyMessageCarriesTheComplianceSettings() throws {
        let root = Harness.tempPath("sidecar-root")
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        let compliance: JSONValue = [
            "rule": "fargate", "checks": [425],
            "customChecks": [["id": 9010, "name": "Sidecar check", "script": "echo via sidecar; exit 4", "severity": "low", "timeoutSeconds": 5]],
        ]
        let message = LocalMessage.policy(version: 2, rule: nil, document: ["rules": []], compliance: compliance)
        #expect(try LocalMessage.parse(String(message.line.dropLast())).payload["compliance"] == compliance)
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        sidecar.policyOnHello = message.line
        let go = Harness.tempPath("go")
        func finding(_ m: [(connection: Int, message: LocalMessage)]) -> JSONObject? {
            let reports = m.filter { $0.message.type == .report && $0.message.payload[string: "kind"] == "compliance" }
            let findings = reports.last?.message.payload["report"]?.objectValue?["findings"]?.arrayValue ?? []
            return findings.compactMap(\.objectValue).first { $0["check"]?.intValue == 9010 }
        }
        var found: JSONObject?
        let r = try Harness.run(
            [Harness.defender, "defend", "--scan-root", root, "--", "/bin/sh", "-c", "while [ ! -f \(go) ]; do sleep 0.05; done"],
            environment: LocalLinkTests.environment(sidecar)
        ) { _ in
            _ = sidecar.wait(timeout: 20, until: { finding($0) != nil })
            found = finding(sidecar.messages)
            FileManager.default.createFile(atPath: go, contents: nil)
        }
        #expect(r.status == 0)
        let f = try #require(found)
        #expect(f[string: "title"] == "Sidecar check" && f[string: "severity"] == "low" && f[string: "detail"] == "exit status 4: via sidecar")
    }

    static func wait(for reports: borrowing Mutex<[ScanReport]>, seconds: Double = 20, _ done: ([ScanReport]) -> Bool) -> ScanReport? {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if let last = reports.withLock({ done($0) ? $0.last : nil }) { return last }
            usleep(50_000)
        }
        return nil
    }
}
