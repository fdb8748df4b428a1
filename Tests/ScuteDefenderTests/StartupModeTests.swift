import Foundation
import ScuteCore
import ScuteDefender
import Testing

/// The startup mode of the real defender (SCUTE_STARTUP_MODE): availability starts the app at once without
/// a console; security starts it only once this run has the console's policy, and otherwise refuses.
@Suite(.serialized) struct StartupModeTests {
    /// An install bundle whose console never answers (nothing listens on port 9).
    static let unreachable = "ws://127.0.0.1:9"
    static let bundle = Data(#"{"console":"\#(unreachable)","token":"t"}"#.utf8).base64EncodedString()

    static func deny(_ program: String) -> String {
        #"{"rules": [{"name": "pushed", "processes": {"effect": "prevent", "denied": ["\#(program)"]}}]}"#
    }

    /// A data folder holding what an earlier run kept: the console's policy, denying `program`.
    static func dataFolderWithCachedPolicy(denying program: String) throws -> String {
        let folder = Harness.tempPath("data")
        try FileManager.default.createDirectory(atPath: folder + "/state", withIntermediateDirectories: true)
        chmod(folder + "/state", 0o700)
        let cached = #"{"version": 4, "rule": "pushed", "policy": \#(deny(program))}"#
        try cached.write(toFile: folder + "/state/policy.json", atomically: true, encoding: .utf8)
        return folder
    }

    @Test func availabilityStartsAtOnceOnTheCachedPolicyWithNoConsole() throws {
        let marker = try Harness.markerProgram(name: "cached-denied")
        let folder = try Self.dataFolderWithCachedPolicy(denying: "cached-denied")
        let proof = Harness.tempPath("ran")
        let start = Date()
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", "/bin/sh", "-c", "echo up; \(marker) \(proof); echo rc=$?"],
            environment: ["SCUTE_INSTALL_BUNDLE": Self.bundle, "SCUTE_DATA_FOLDER": folder, "SCUTE_DRAIN_TIMEOUT": "0"]
        )
        // No waiting for a console that does not answer (the wait used to be 5 s by default).
        #expect(Date().timeIntervalSince(start) < 4)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("up\n"))
        // The cached policy was in force from the first instruction.
        #expect(!Harness.exists(proof))
        #expect(r.stdout.contains("rc=126") || r.stdout.contains("rc=137"), "\(r.stdout)")
        #expect(!r.stderr.contains("security startup mode"))
    }

    @Test func availabilityWithNoConsoleAtAllRunsOnThePolicyFile() throws {
        let r = try Harness.defend(policy: #"{"rules": []}"#, ["/bin/sh", "-c", "echo up"], environment: ["SCUTE_STARTUP_MODE": "availability"])
        #expect(r.status == 0 && r.stdout == "up\n", "\(r.stderr)")
    }

    @Test func securityRefusesToStartTheAppWithoutTheConsolesPolicyEvenWithACachedOne() throws {
        let marker = try Harness.markerProgram(name: "never-started")
        let folder = try Self.dataFolderWithCachedPolicy(denying: "nothing-in-particular")
        let proof = Harness.tempPath("ran")
        let start = Date()
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", marker, proof],
            environment: [
                "SCUTE_INSTALL_BUNDLE": Self.bundle, "SCUTE_DATA_FOLDER": folder, "SCUTE_STARTUP_MODE": "security",
                "SCUTE_POLICY_WAIT": "1.5", "SCUTE_DRAIN_TIMEOUT": "0",
            ]
        )
        #expect(r.status == 2)
        #expect(!Harness.exists(proof))
        #expect(Date().timeIntervalSince(start) >= 1.5)
        #expect(r.stderr.contains("waiting for the console's policy (security startup mode) from \(Self.unreachable)"), "\(r.stderr)")
        #expect(
            r.stderr.contains("security startup mode: no policy from the console (\(Self.unreachable)) within 1.5 s (SCUTE_POLICY_WAIT)"),
            "\(r.stderr)"
        )
        #expect(r.stderr.contains("not starting the app"))
    }

    @Test func aStopRequestWhileSecurityWaitsEndsTheDefenderWithoutTheApp() throws {
        let marker = try Harness.markerProgram(name: "stopped-before")
        let proof = Harness.tempPath("ran")
        let start = Date()
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", marker, proof],
            environment: [
                "SCUTE_INSTALL_BUNDLE": Self.bundle, "SCUTE_DATA_FOLDER": Harness.tempPath("data"), "SCUTE_STARTUP_MODE": "security",
                "SCUTE_DRAIN_TIMEOUT": "0",
            ]
        ) { p in
            usleep(700_000)
            kill(p.processIdentifier, SIGTERM)
        }
        // No SCUTE_POLICY_WAIT: it would have waited for good.
        #expect(r.status == 128 + SIGTERM)
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(!Harness.exists(proof))
        #expect(r.stderr.contains("asked to stop (signal \(SIGTERM)) while waiting for the console's policy"), "\(r.stderr)")
    }

    @Test func securitySaysItWaitsEveryIntervalAndStartsWhenThePolicyArrives() {
        var wait = StartupWait(mode: .security, bound: 0.45, source: "ws://console:8084")
        wait.interval = 0.1
        var lines: [String] = []
        let refused = wait.run(arrived: { false }, say: { lines.append($0) })
        #expect(lines.count >= 4 && lines.count <= 6, "\(lines)")
        #expect(lines.allSatisfy { $0 == "scute: waiting for the console's policy (security startup mode) from ws://console:8084" })
        guard case .refuse(let reason, let status) = refused else {
            Issue.record("security started without the policy")
            return
        }
        #expect(status == 2 && reason.contains("within 0.45 s (SCUTE_POLICY_WAIT)"))
        let arrival = Date().addingTimeInterval(0.2)
        #expect(wait.run(arrived: { Date() >= arrival }, say: { _ in }) == .start)
        #expect(Date() >= arrival)
        // Availability without a bound does not wait at all; with one, no longer than it.
        let start = Date()
        #expect(StartupWait(mode: .availability, bound: nil, source: "").run(arrived: { false }) == .start)
        #expect(StartupWait(mode: .availability, bound: 0.2, source: "").run(arrived: { false }) == .start)
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test func securityWithNoConsoleToAskIsRefusedAtOnce() throws {
        let marker = try Harness.markerProgram()
        let proof = Harness.tempPath("ran")
        let r = try Harness.run(
            [Harness.defender, "defend", "--startup-mode", "security", "--", marker, proof],
            environment: ["SCUTE_DATA_FOLDER": Harness.tempPath("empty")]
        )
        #expect(r.status == 2)
        #expect(!Harness.exists(proof))
        #expect(r.stderr.contains("security startup mode (SCUTE_STARTUP_MODE): no console to take the policy from"), "\(r.stderr)")
    }

    @Test(arguments: [
        (["SCUTE_STARTUP_MODE": "secure"], [String](), "SCUTE_STARTUP_MODE: expected availability or security, got \"secure\""),
        ([:], ["--startup-mode", "fast"], "--startup-mode: expected availability or security, got \"fast\""),
    ])
    func anUnknownModeIsAnErrorNamingTheVariableOrOption(environment: [String: String], options: [String], message: String) throws {
        let marker = try Harness.markerProgram()
        let proof = Harness.tempPath("ran")
        let r = try Harness.run([Harness.defender, "defend"] + options + ["--", marker, proof], environment: environment)
        #expect(r.status == 2)
        #expect(!Harness.exists(proof))
        #expect(r.stderr.contains(message), "\(r.stderr)")
    }

    @Test func theOptionWinsOverTheVariable() throws {
        let r = try Harness.run(
            [Harness.defender, "defend", "--startup-mode", "availability", "--", "/bin/sh", "-c", "echo up"],
            environment: ["SCUTE_STARTUP_MODE": "bogus"]
        )
        #expect(r.status == 0 && r.stdout == "up\n", "\(r.stderr)")
    }

    @Test func throughTheSidecarSecurityWaitsForTheConsolesPolicyNotTheRelaysCache() throws {
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        // What the relay kept from an earlier run: it comes first, marked, and does not start the app.
        sidecar.policyOnHello =
            LocalMessage.policy(version: 1, rule: "cached", document: ["rules": []], cached: true).line
        let marker = try Harness.markerProgram(name: "relay-denied")
        let before = Harness.tempPath("before")
        let started = Harness.tempPath("started")
        var pushedAt = Date.distantFuture
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", "/bin/sh", "-c", "touch \(started); \(marker) \(before); echo rc=$?"],
            environment: ["SCUTE_CHANNEL_SOCKET": sidecar.path, "SCUTE_STARTUP_MODE": "security", "SCUTE_POLICY_WAIT": "20"]
        ) { _ in
            sidecar.wait { m in m.contains { $0.message.type == .hello } }
            usleep(1_000_000)
            // A second after the hello the app still waits.
            #expect(!Harness.exists(started))
            pushedAt = Date()
            try? sidecar.push(Self.deny("relay-denied"), version: 2)
        }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Harness.exists(started))
        // The console's policy was in force from the app's first instruction.
        #expect(!Harness.exists(before))
        #expect(r.stdout.contains("rc=126") || r.stdout.contains("rc=137"), "\(r.stdout)")
        #expect(r.stderr.contains("waiting for the console's policy (security startup mode) from the sidecar's relay at \(sidecar.path)"))
        #expect(pushedAt < Date())
    }

    @Test func throughTheSidecarSecurityRefusesWhenOnlyTheCacheArrives() throws {
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        sidecar.policyOnHello = LocalMessage.policy(version: 1, rule: "cached", document: ["rules": []], cached: true).line
        let marker = try Harness.markerProgram()
        let proof = Harness.tempPath("ran")
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", marker, proof],
            environment: [
                "SCUTE_CHANNEL_SOCKET": sidecar.path, "SCUTE_STARTUP_MODE": "security", "SCUTE_POLICY_WAIT": "1",
                "SCUTE_DRAIN_TIMEOUT": "0.5",
            ]
        )
        #expect(r.status == 2)
        #expect(!Harness.exists(proof))
        #expect(sidecar.messages.contains { $0.message.type == .hello })
        #expect(r.stderr.contains("security startup mode: no policy from the console (the sidecar's relay at \(sidecar.path)) within 1 s"))
    }

    @Test func throughTheSidecarAvailabilityDoesNotWaitForAPolicy() throws {
        let sidecar = try FakeSidecar()
        defer { sidecar.stop() }
        let start = Date()
        let r = try Harness.run(
            [Harness.defender, "rasp", "--", "/bin/sh", "-c", "echo up"],
            environment: ["SCUTE_CHANNEL_SOCKET": sidecar.path, "SCUTE_DRAIN_TIMEOUT": "0.5"]
        )
        #expect(r.status == 0 && r.stdout == "up\n", "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 4)
    }
}
