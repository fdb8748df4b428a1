import Testing

/// The supervisor's per-stop fast paths must decide exactly as the slow ones: a task that keeps trapping
/// network calls has its memory read through a kept-open /proc/TID/mem after the first few, and a lone
/// task's exec skips the request that finds the thread it replaced.
@Suite(.serialized) struct TrapPathTests {
    @Test func manyNetworkCallsFromOneTaskAreAllJudged() throws {
        // Well past the reads after which the descriptor is kept: every kind of call, allowed and denied.
        var specs: [String] = []
        for i in 0..<4 {
            specs += ["udp,127.0.0.8,\(9000 + i)", "udp,127.0.0.9,\(9000 + i)", "msg,127.0.0.8,\(9000 + i)", "msg,127.0.0.9,\(9000 + i)"]
        }
        let r = try Harness.defend(
            policy: NetworkTests.policy(#""deniedIPs": ["127.0.0.9"]"#),
            [NetworkTests.python, "-c", NetworkTests.client] + specs
        )
        let results = Dictionary(
            r.stdout.split(separator: "\n").compactMap { line -> (String, String)? in
                let parts = line.split(separator: " ")
                return parts.count == 2 ? (String(parts[0]), String(parts[1])) : nil
            },
            uniquingKeysWith: { a, _ in a }
        )
        #expect(results.count == specs.count)
        for spec in specs {
            #expect(results[spec] == (spec.contains("127.0.0.9") ? "ECONNREFUSED" : "ok"), "\(spec)")
        }
        #expect(r.audits.filter { $0[string: "attackType"] == "explicitlyDeniedIP" }.count == 8)
    }

    @Test func networkCallsAfterAnExecReadTheNewImage() throws {
        // Enough sends for the descriptor to be kept, then an exec in the same process: the new image's
        // calls must be read from the new memory, not through the descriptor of the old one.
        let first = """
            import os, socket, sys
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            for port in range(9001, 9005):
                s.sendto(b"x", ("127.0.0.8", port))
            print("first done", flush=True)
            os.execv(sys.executable, [sys.executable, "-c", sys.argv[1], "udp,127.0.0.9,9005", "udp,127.0.0.8,9006"])
            """
        let r = try Harness.defend(
            policy: NetworkTests.policy(#""deniedIPs": ["127.0.0.9"]"#),
            [NetworkTests.python, "-c", first, NetworkTests.client]
        )
        let out = r.stdout.split(separator: "\n").map(String.init)
        #expect(out == ["first done", "udp,127.0.0.9,9005 ECONNREFUSED", "udp,127.0.0.8,9006 ok"])
    }

    /// Argument vectors of every shape reach the audit as the program got them: read from the new image's
    /// stack at the exec event, or from /proc/PID/cmdline where the stack is unusual.
    @Test(arguments: [
        ["", "ünïcödé", "two words", ""],  // empty strings, UTF-8, spaces
        (0..<600).map { "a\($0)" },  // more pointers than one page holds
        [String(repeating: "x", count: 10_000), "after"],  // strings past the first page
        [String(repeating: "y", count: 70_000)],  // past the 64 KB that /proc/PID/cmdline keeps
    ])
    func argumentVectorsAreReadWhole(extra: [String]) throws {
        let marker = try Harness.markerProgram(name: "argv-tool")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(effect: "alert", denied: ["argv-tool"]), [marker, proof] + extra)
        #expect(r.status == 0)
        let a = try #require(r.audits.first { $0[string: "attackType"] == "explicitlyDeniedProcess" })
        let expected = ([marker, proof] + extra).joined(separator: " ")
        let cmdline = try #require(a[string: "cmdline"])
        if expected.utf8.count < 65536 {
            #expect(cmdline == expected)
        } else {
            #expect(expected.hasPrefix(cmdline) && cmdline.utf8.count > 60000)
        }
    }

    @Test func aMinerURLAfterALongArgumentIsFound() throws {
        let marker = try Harness.markerProgram(name: "quiet-tool")
        let proof = Harness.tempPath("ran")
        let args = [String(repeating: "z", count: 6000), "-o", "stratum+tcp://pool.example:3333"]
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(), [marker, proof] + args)
        #expect(r.status == 137)
        #expect(!Harness.exists(proof))
        #expect(r.audits.contains { $0[string: "attackType"] == "cryptoMiner" })
    }
}
