import Foundation
import Testing

/// The app attacks its tracer by every route to its memory, /proc entries and signals, as root and as an
/// unprivileged user: each route must fail, and the app must have lost the capabilities that reach around
/// the defender.
@Suite(.serialized) struct TracerIsolationTests {
    static let source = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <fcntl.h>
        #include <linux/sched.h>
        #include <netinet/in.h>
        #include <signal.h>
        #include <stdint.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/ptrace.h>
        #include <sys/socket.h>
        #include <sys/syscall.h>
        #include <sys/uio.h>
        #include <unistd.h>
        #define SHOW(name, expr) do { errno = 0; long r_ = (long)(expr); printf("%s=%s/%d\\n", name, r_ < 0 ? "fail" : "ok", r_ < 0 ? errno : 0); fflush(stdout); } while (0)
        static void caps(const char *key) {
            FILE *f = fopen("/proc/self/status", "r");
            char line[256];
            while (fgets(line, sizeof line, f)) {
                if (strncmp(line, key, strlen(key)) == 0) {
                    unsigned long long v = strtoull(line + strlen(key) + 1, 0, 16);
                    printf("%s ptrace=%d raw=%d\\n", key, (int)(v >> 19 & 1), (int)(v >> 13 & 1));
                }
            }
            fclose(f);
        }
        int main(int argc, char **argv) {
            pid_t d = getppid();
            char p[64], buf[256];
            snprintf(p, sizeof p, "/proc/%d/mem", d);
            SHOW("mem_ro", open(p, O_RDONLY));
            if (argc > 1) {
                /* Run on its own (no defender above it): nothing that would harm the parent. */
                caps("CapEff:");
                return 0;
            }
            SHOW("mem_rw", open(p, O_RDWR));
            snprintf(p, sizeof p, "/proc/%d/pagemap", d);
            SHOW("pagemap", open(p, O_RDONLY));
            snprintf(p, sizeof p, "/proc/%d/environ", d);
            SHOW("environ", open(p, O_RDONLY));
            snprintf(p, sizeof p, "/proc/%d/exe", d);
            SHOW("exe", readlink(p, buf, sizeof buf));
            snprintf(p, sizeof p, "/proc/%d/fd/0", d);
            SHOW("fd", open(p, O_RDONLY));
            char local[8];
            struct iovec l = {local, 8}, r = {(void *)&main, 8};
            SHOW("vm_readv", process_vm_readv(d, &l, 1, &r, 1, 0));
            SHOW("vm_writev", process_vm_writev(d, &l, 1, &r, 1, 0));
            SHOW("ptrace_attach", ptrace(PTRACE_ATTACH, d, 0, 0));
            SHOW("ptrace_seize", ptrace(PTRACE_SEIZE, d, 0, 0));
            SHOW("pidfd_open", syscall(SYS_pidfd_open, d, 0));
            SHOW("kill", kill(d, 0));
            SHOW("tgkill", syscall(SYS_tgkill, d, d, 0));
            SHOW("raw_socket", socket(AF_INET, SOCK_RAW, IPPROTO_UDP));
            SHOW("packet_socket", socket(AF_PACKET, SOCK_RAW, 0));
            SHOW("sctp_socket", socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP));
            SHOW("seqpacket_socket", socket(AF_INET6, SOCK_SEQPACKET, 0));
            long c = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
            int ce = errno;
            if (c == 0) _exit(0);
            printf("clone_untraced=%s/%d\\n", c < 0 ? "fail" : "ok", c < 0 ? ce : 0);
            struct clone_args ca;
            memset(&ca, 0, sizeof ca);
            ca.exit_signal = SIGCHLD;
            long c3 = syscall(SYS_clone3, &ca, sizeof ca);
            int c3e = errno;
            if (c3 == 0) _exit(0);
            printf("clone3=%s/%d\\n", c3 < 0 ? "fail" : "ok", c3 < 0 ? c3e : 0);
            caps("CapEff:");
            caps("CapPrm:");
            caps("CapBnd:");
            caps("CapAmb:");
            return 0;
        }
        """

    static func results(_ stdout: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in stdout.split(separator: "\n") {
            if line.hasPrefix("Cap"), let sp = line.firstIndex(of: " ") {
                out[String(line[..<sp])] = String(line[line.index(after: sp)...])
            } else if let eq = line.firstIndex(of: "=") {
                out[String(line[..<eq])] = String(line[line.index(after: eq)...])
            } else if let sp = line.firstIndex(of: " ") {
                out[String(line[..<sp])] = String(line[line.index(after: sp)...])
            }
        }
        return out
    }

    static let routes = ["mem_rw", "mem_ro", "pagemap", "environ", "exe", "fd", "vm_readv", "vm_writev", "ptrace_attach", "ptrace_seize"]

    static func expectIsolated(_ r: [String: String], asRoot: Bool) {
        for route in routes {
            #expect(r[route]?.hasPrefix("fail/") == true, "\(route): \(r[route] ?? "missing")")
        }
        #expect(r["pidfd_open"] == "fail/1")
        #expect(r["kill"] == "fail/1")
        #expect(r["tgkill"] == "fail/1")
        #expect(r["sctp_socket"] == "fail/1")
        #expect(r["seqpacket_socket"] == "fail/1")
        #expect(r["clone_untraced"] == "fail/1")
        #expect(r["clone3"] == "fail/38")
        #expect(r["raw_socket"]?.hasPrefix("fail/") == true)
        #expect(r["packet_socket"]?.hasPrefix("fail/") == true)
        for set in ["CapEff:", "CapPrm:", "CapBnd:", "CapAmb:"] where asRoot {
            #expect(r[set] == "ptrace=0 raw=0", "\(set) \(r[set] ?? "missing")")
        }
    }

    @Test func asRootNoRouteReachesTheDefender() throws {
        let bin = try Harness.compile("isolation", Self.source)
        let r = try Harness.defend([bin])
        #expect(r.status == 0, "\(r.stderr)")
        Self.expectIsolated(Self.results(r.stdout), asRoot: true)
        // The same program on its own reaches its parent (the test runner, root with every capability):
        // the failures above are the defender's doing.
        let native = Self.results(try Harness.run([bin, "harmless"]).stdout)
        #expect(native["mem_ro"] == "ok/0")
        #expect(native["CapEff:"] == "ptrace=1 raw=1")
    }

    @Test func asAnUnprivilegedUserNoRouteReachesTheDefender() throws {
        let bin = try Harness.compile("isolation", Self.source)
        // A folder the unprivileged defender can write its audit log into.
        let dir = Harness.tempPath("nobody")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        chmod(dir, 0o1777)
        chmod(Harness.work.path, 0o755)
        let audit = dir + "/audit.jsonl"
        let r = try Harness.run(
            ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Harness.defender, "defend", "--audit-log", audit, "--", bin]
        )
        #expect(r.status == 0, "\(r.stderr)")
        let results = Self.results(r.stdout)
        Self.expectIsolated(results, asRoot: false)
        // The same user without the defender in between can open its parent's memory when the parent is
        // dumpable (a shell of the same user): the defender's non-dumpable state is what stops it.
        let native = try Harness.run([
            "/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", "\(bin) harmless; true",
        ])
        #expect(Self.results(native.stdout)["mem_ro"] == "ok/0")
    }

    @Test func killingTheTracerByAnotherRouteTakesTheWholeAppDown() throws {
        // pidfd_send_signal on a /proc/PID directory descriptor is a route the filter cannot see: the
        // defender dies, and EXITKILL takes every traced process with it before any can act unwatched.
        let proof = Harness.tempPath("outlived")
        let bin = try Harness.compile(
            "kill-tracer",
            """
            #define _GNU_SOURCE
            #include <fcntl.h>
            #include <signal.h>
            #include <stdio.h>
            #include <sys/syscall.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                pid_t d = getppid();
                if (fork() == 0) {
                    usleep(500000);
                    close(open(argv[1], O_CREAT | O_WRONLY, 0644));
                    _exit(0);
                }
                char p[64];
                snprintf(p, sizeof p, "/proc/%d", d);
                int fd = open(p, O_RDONLY | O_DIRECTORY);
                long r = syscall(SYS_pidfd_send_signal, fd, SIGKILL, 0, 0);
                printf("sent=%ld\\n", r);
                sleep(2);
                return 0;
            }
            """
        )
        let r = try Harness.defend([bin, proof])
        usleep(1_000_000)
        #expect(r.status == 137)
        #expect(!Harness.exists(proof))
    }

    @Test func secretsMeantForTheDefenderAreNotPassedToTheApp() throws {
        let r = try Harness.defend(
            ["/bin/sh", "-c", "env | grep '^SCUTE_' | cut -d= -f1 | sort"],
            environment: ["SCUTE_ENROLLMENT_TOKEN": "t0ken", "SCUTE_CONSOLE_PASSWORD": "pw", "SCUTE_APP_ID": "app-1"]
        )
        #expect(r.status == 0)
        let names = Set(r.stdout.split(separator: "\n").map(String.init))
        #expect(names.contains("SCUTE_APP_ID"))
        #expect(!names.contains("SCUTE_ENROLLMENT_TOKEN"))
        #expect(!names.contains("SCUTE_CONSOLE_PASSWORD"))
    }

    @Test func theAppRunsAsTheUserItIsGivenAndTheDefenderStaysRoot() throws {
        let r = try Harness.defend(
            ["/bin/sh", "-c", "id -u; id -g; cat /proc/$PPID/status | grep '^Uid:' | cut -f2"],
            options: ["--user", "nobody"]
        )
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "65534")
        #expect(lines.count == 3 && lines[2] == "0")
        let bad = try Harness.defend(["/bin/true"], options: ["--user", "no-such-user-here"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("no user no-such-user-here in /etc/passwd"))
    }

    @Test func callsPerformedForTheAppCarryOnlyTheAppsPrivileges() throws {
        // The tracer binds for the app while network rules are in force; as root it could bind port 80,
        // the app (nobody) cannot, and must not be able to through the tracer.
        let script = """
            import socket
            for port in (80, 0):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                try:
                    s.bind(("127.0.0.1", port)); print(port, "ok")
                except OSError as e:
                    print(port, e.strerror)
            """
        let r = try Harness.defend(
            policy: NetworkTests.policy(effect: "alert", #""deniedListeningPorts": [7]"#),
            ["/usr/bin/python3", "-c", script],
            options: ["--user", "nobody"]
        )
        #expect(r.stdout == "80 Permission denied\n0 ok\n", "\(r.stdout) \(r.stderr)")
    }
}
