import Foundation
import Testing

/// A check that cannot run refuses the call and says so: here the defender has no descriptor left for
/// its duplicate of the app's socket.
@Suite(.serialized) struct FailClosedTests {
    static let script = """
        import os, socket, sys, time
        go, port = sys.argv[1], int(sys.argv[2])
        open(go + ".ready", "w").close()
        while not os.path.exists(go): time.sleep(0.01)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=5).close(); print("ok")
        except OSError as e:
            print(e.strerror)
        """

    func connect(limitDescriptors: Bool) throws -> Harness.Result {
        let (fd, port) = try NetworkTests.listener()
        defer { close(fd) }
        let go = Harness.tempPath("go")
        return try Harness.defend(
            policy: NetworkTests.policy(#""deniedIPs": ["127.0.0.9"]"#),
            [NetworkTests.python, "-c", Self.script, go, String(port)]
        ) { p in
            guard LifecycleTests.waitFor(go + ".ready") else { return }
            if limitDescriptors {
                let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(p.processIdentifier)/fd").count) ?? 0
                _ = try? Harness.run(["/usr/bin/prlimit", "--pid", String(p.processIdentifier), "--nofile=\(open):\(open)"])
            }
            FileManager.default.createFile(atPath: go, contents: nil)
        }
    }

    @Test func noDescriptorForTheCheckRefusesTheConnection() throws {
        let limited = try connect(limitDescriptors: true)
        #expect(limited.stdout == "Resource temporarily unavailable\n", "\(limited.stdout) \(limited.stderr)")
        let audit = try #require(limited.audits.first { $0[string: "attackType"] == "checkFailed" })
        #expect(audit[string: "effect"] == "prevent")
        #expect(audit[string: "msg"]?.contains("connect refused: the socket could not be inspected") == true)
        // With descriptors to spare the same connection goes through.
        #expect(try connect(limitDescriptors: false).stdout == "ok\n")
    }
}
