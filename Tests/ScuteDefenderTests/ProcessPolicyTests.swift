import Foundation
import ScuteCore
import Testing

@Suite(.serialized) struct ProcessPolicyTests {
    static func policy(effect: String = "prevent", allowed: [String] = [], denied: [String] = [], miners: String = "prevent") -> String {
        let a = allowed.map { "\"\($0)\"" }.joined(separator: ",")
        let d = denied.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            {"rules": [{"name": "test", "processes": {"effect": "\(effect)", "allowed": [\(a)], "denied": [\(d)], "cryptoMiners": "\(miners)"}}]}
            """
    }

    @Test func runsTheAppAndPassesItsExitCode() throws {
        let r = try Harness.defend(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"])
        #expect(r.status == 3)
        #expect(r.stdout == "out\n")
        #expect(r.stderr == "err\n")
    }

    @Test func deniedProgramIsRefusedAtExecveAndNeverRuns() throws {
        let marker = try Harness.markerProgram(name: "denied-tool")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: Self.policy(denied: ["denied-tool"]), ["/bin/sh", "-c", "\(marker) \(proof); echo rc=$?"])
        #expect(r.stdout.contains("rc=126"))  // the shell's execve failed with EACCES
        #expect(!Harness.exists(proof))
        let a = try #require(r.audits.first)
        #expect(a[string: "type"] == "process")
        #expect(a[string: "effect"] == "prevent")
        #expect(a[string: "attackType"] == "explicitlyDeniedProcess")
        #expect(a[string: "processPath"]?.hasSuffix("denied-tool") == true)
        #expect(a[string: "rule"] == "test")
    }

    @Test func notAllowedProgramIsKilledAtTheExecEvent() throws {
        let marker = try Harness.markerProgram(name: "other-tool")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: Self.policy(allowed: ["dash", "sh"]), ["/bin/sh", "-c", "\(marker) \(proof); echo rc=$?"])
        #expect(r.stdout.contains("rc=137"))
        #expect(!Harness.exists(proof))
        #expect(r.audits.contains { $0[string: "attackType"] == "notAllowedProcess" && $0[string: "processPath"]?.hasSuffix("other-tool") == true })
    }

    @Test func alertLetsTheProgramRunAndRecordsIt() throws {
        let marker = try Harness.markerProgram(name: "alert-tool")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: Self.policy(effect: "alert", denied: ["alert-tool"]), ["/bin/sh", "-c", "\(marker) \(proof) arg2"])
        #expect(r.status == 0)
        #expect(Harness.exists(proof))
        let a = try #require(r.audits.first { $0[string: "attackType"] == "explicitlyDeniedProcess" })
        #expect(a[string: "effect"] == "alert")
        #expect(a[string: "cmdline"] == "\(marker) \(proof) arg2")
    }

    @Test func theAppItselfIsJudged() throws {
        let marker = try Harness.markerProgram(name: "denied-app")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: Self.policy(allowed: ["dash"]), [marker, proof])
        #expect(r.status == 137)
        #expect(!Harness.exists(proof))
    }

    @Test func scriptsAreCaughtByTheirOwnName() throws {
        let proof = Harness.tempPath("ran")
        let script = try Harness.write("#!/bin/sh\ntouch \(proof)\n", to: "evil.sh", executable: true)  // name ends in evil.sh
        let r = try Harness.defend(policy: Self.policy(denied: ["*evil.sh"]), ["/bin/sh", "-c", "\(script); echo rc=$?"])
        #expect(r.stdout.contains("rc=126"))
        #expect(!Harness.exists(proof))
    }

    @Test func symlinkNamesDenyButDoNotAllow() throws {
        let marker = try Harness.markerProgram(name: "real-tool")
        let link = Harness.tempPath("python3")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: marker)
        let proof = Harness.tempPath("ran")
        // Allowed: python3 — a symlink named python3 in a writable directory does not launder real-tool.
        let r = try Harness.defend(policy: Self.policy(allowed: ["dash", "python3"]), ["/bin/sh", "-c", "\(link) \(proof); echo rc=$?"])
        #expect(r.stdout.contains("rc=137"))
        #expect(!Harness.exists(proof))
        // /bin/sh is a root-owned alias of dash and counts for the allowed list.
        let ok = try Harness.defend(policy: Self.policy(allowed: ["sh"]), ["/bin/sh", "-c", "exit 5"])
        #expect(ok.status == 5)
    }

    @Test func busyboxAppletsByLinkName() throws {
        guard Harness.exists("/bin/busybox") else { return }
        let dir = Harness.tempPath("bb")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/wget", withDestinationPath: "/bin/busybox")
        let r = try Harness.defend(
            policy: Self.policy(denied: ["wget"]),
            ["/bin/sh", "-c", "\(dir)/wget --help >/dev/null 2>&1; echo rc=$?; /bin/busybox true; echo bb=$?"]
        )
        #expect(r.stdout.contains("rc=126"))
        #expect(r.stdout.contains("bb=0"))
    }

    @Test func busyboxStandaloneShellAppletsByArgumentZero() throws {
        // Debian's busybox-static shell runs applets as /proc/self/exe with the applet's name in argv[0].
        guard Harness.exists("/bin/busybox") else { return }
        let r = try Harness.defend(
            policy: Self.policy(denied: ["nslookup"]),
            [
                "/bin/busybox", "sh", "-c",
                "nslookup localhost 127.0.0.1 >/dev/null 2>&1; echo rc=$?; cat /dev/null; echo cat=$?; "
                    + "/bin/busybox nslookup localhost 127.0.0.1 >/dev/null 2>&1; echo direct=$?",
            ]
        )
        #expect(r.stdout.contains("rc=137"))
        #expect(r.stdout.contains("direct=137"))
        #expect(r.stdout.contains("cat=0"))
        #expect(r.audits.contains { $0[string: "attackType"] == "explicitlyDeniedProcess" })
    }

    @Test func cryptoMinersByNameAndStratumURL() throws {
        let miner = try Harness.markerProgram(name: "xmrig")
        let proof = Harness.tempPath("ran")
        // In a script: a shell whose own arguments carry the pool URL would itself be judged a miner.
        let script = try Harness.write("\(miner) \(proof); echo a=$?; /bin/true -o stratum+tcp://pool.example:3333; echo b=$?\n", to: "s.sh")
        let r = try Harness.defend(policy: Self.policy(effect: "alert", miners: "prevent"), ["/bin/sh", script])
        #expect(r.stdout.contains("a=126"))  // by name: refused at the execve
        #expect(r.stdout.contains("b=137"))  // by arguments: killed at the exec event, before running
        #expect(!Harness.exists(proof))
        #expect(r.audits.filter { $0[string: "attackType"] == "cryptoMiner" }.count == 2)
    }

    @Test func repeatedFindingsAreAggregated() throws {
        let marker = try Harness.markerProgram(name: "noisy-tool")
        let r = try Harness.defend(
            policy: Self.policy(effect: "alert", denied: ["noisy-tool"]),
            ["/bin/sh", "-c", "for i in $(seq 30); do \(marker); done"]
        )
        #expect(r.status == 0)
        let found = r.audits.filter { $0[string: "attackType"] == "explicitlyDeniedProcess" }
        let total = found.compactMap { $0["count"]?.intValue }.reduce(0, +)
        #expect(total == 30)
        #expect(found.count == 2)
    }

    @Test func forensicsRecordsEveryLaunch() throws {
        let path = Harness.tempPath("forensics.jsonl")
        let r = try Harness.defend(["/bin/sh", "-c", "/bin/true; /bin/true; /bin/echo hi"], options: ["--forensics", path])
        #expect(r.status == 0)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let paths = text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)).objectValue?[string: "processPath"] }
        #expect(paths.filter { $0.hasSuffix("/true") }.count == 2)
        #expect(paths.contains { $0.hasSuffix("/echo") })
    }
}
