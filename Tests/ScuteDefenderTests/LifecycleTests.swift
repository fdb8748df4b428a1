import Foundation
import Testing

/// PID 1 duties, exit codes, start-up failures.
@Suite(.serialized) struct LifecycleTests {
    static let python = "/usr/bin/python3"

    static func waitFor(_ path: String, seconds: Double = 10) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if Harness.exists(path) { return true }
            usleep(10_000)
        }
        return false
    }

    @Test func killedAppExitsWith128PlusSignal() throws {
        #expect(try Harness.defend(["/bin/sh", "-c", "kill -TERM $$"]).status == 143)
        #expect(try Harness.defend(["/bin/sh", "-c", "kill -KILL $$"]).status == 137)
    }

    static let forwarded: [(Int32, Int32)] = [(SIGTERM, 42), (SIGINT, 43), (SIGHUP, 44), (SIGUSR1, 45), (SIGUSR2, 46), (SIGWINCH, 47), (SIGQUIT, 48)]

    @Test(arguments: forwarded)
    func forwardsSignalsToTheApp(signal: Int32, code: Int32) throws {
        let ready = Harness.tempPath("ready")
        let script = """
            import signal, sys, time
            signal.signal(\(signal), lambda *a: sys.exit(\(code)))
            open("\(ready)", "w").close()
            time.sleep(20)
            sys.exit(1)
            """
        let r = try Harness.defend([Self.python, "-c", script]) { p in
            if Self.waitFor(ready) { kill(p.processIdentifier, signal) }
        }
        #expect(r.status == code)
    }

    @Test func reapsAThousandOrphans() throws {
        let script = """
            import os, time
            # One orphan reports who adopted it: the defender (subreaper), not the machine's init.
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                if os.fork() == 0:
                    time.sleep(0.3)
                    os.write(w, str(os.getppid()).encode())
                    os._exit(0)
                os._exit(0)
            os.waitpid(pid, 0)
            os.close(w)
            adopter = int(os.read(r, 32))
            print("adopter", "defender" if adopter == os.getppid() else adopter)
            for i in range(1000):
                pid = os.fork()
                if pid == 0:
                    if os.fork() == 0:
                        os._exit(0)
                    os._exit(0)
                os.waitpid(pid, 0)
            me = os.getppid()
            for attempt in range(50):
                zombies = 0
                for p in os.listdir("/proc"):
                    if not p.isdigit():
                        continue
                    try:
                        fields = open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if fields[0] == "Z" and int(fields[1]) == me:
                        zombies += 1
                if zombies == 0:
                    break
                time.sleep(0.1)
            print("zombies", zombies)
            """
        let r = try Harness.defend([Self.python, "-c", script], timeout: 60)
        #expect(r.status == 0)
        #expect(r.stdout == "adopter defender\nzombies 0\n")
    }

    @Test func killingTheDefenderKillsTheApp() throws {
        let pidFile = Harness.tempPath("pid")
        var appPid: Int32 = 0
        let r = try Harness.defend(["/bin/sh", "-c", "echo $$ > \(pidFile).tmp; mv \(pidFile).tmp \(pidFile); exec sleep 30"]) { p in
            guard Self.waitFor(pidFile) else { return }
            appPid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
            usleep(100_000)
            kill(p.processIdentifier, SIGKILL)
        }
        #expect(r.status == 137)
        #expect(appPid > 0)
        // EXITKILL: the traced app dies with its tracer.
        var gone = false
        for _ in 0..<200 {
            let stat = (try? String(contentsOfFile: "/proc/\(appPid)/stat", encoding: .utf8)) ?? ""
            if stat.isEmpty || stat.contains(") Z ") || !stat.contains("sleep") {
                gone = true
                break
            }
            usleep(10_000)
        }
        #expect(gone)
    }

    @Test func invalidPolicyRefusesToStartTheApp() throws {
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: #"{"rules": [{"processes": {"effect": "block"}}]}"#, ["/bin/sh", "-c", "touch \(proof)"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("rules[0].processes.effect: expected one of disable, alert, prevent"))
        #expect(!Harness.exists(proof))
    }

    @Test func missingCommand() throws {
        let r = try Harness.defend(["/nonexistent/program"])
        #expect(r.status == 127)
        #expect(r.stderr.contains("No such file or directory"))
    }

    @Test func traceFailureClosedRefusesAndOpenRunsUnprotected() throws {
        // The inner defender runs under the outer one, whose filter refuses ptrace: tracing cannot start.
        let proof = Harness.tempPath("ran")
        let closed = try Harness.defend([Harness.defender, "defend", "--on-trace-failure", "closed", "--", "/bin/sh", "-c", "touch \(proof)"])
        #expect(closed.status == 126)
        #expect(closed.stderr.contains("cannot trace the app: ptrace(PTRACE_SEIZE)"))
        #expect(closed.stderr.contains("SYS_PTRACE"))
        #expect(!Harness.exists(proof))

        let audit = Harness.tempPath("inner-audit")
        let open = try Harness.defend([Harness.defender, "defend", "--audit-log", audit, "--", "/bin/sh", "-c", "touch \(proof); exit 4"])
        #expect(open.status == 4)
        #expect(Harness.exists(proof))
        let text = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
        #expect(text.contains("\"attackType\":\"tracingUnavailable\""))
        #expect(text.contains("critical"))
    }
}
