import Foundation
import Testing

/// Attempts to get a denied program to run, or to get around the filter, by the routes the notes list.
@Suite(.serialized) struct EvasionTests {
    static let allowShells = ProcessPolicyTests.policy(allowed: ["dash", "sh", "evasion*", "python3*"])

    static let evasionSource = """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <linux/filter.h>
        #include <linux/seccomp.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <sys/prctl.h>
        #include <sys/ptrace.h>
        #include <sys/syscall.h>
        #include <sys/uio.h>
        #include <unistd.h>
        #define SHOW(name, expr) do { errno = 0; long r_ = (long)(expr); printf("%s=%ld/%d\\n", name, r_, r_ < 0 ? errno : 0); } while (0)
        int main(void) {
            void *params = calloc(1, 120);
            SHOW("io_uring", syscall(425, 8, params));
            struct sock_filter f[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
            struct sock_fprog prog = {1, f};
            prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
            SHOW("listener", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
            SHOW("plainfilter", syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog));
            SHOW("ptrace", ptrace(PTRACE_TRACEME, 0, 0, 0));
            char buf[4] = "abc";
            struct iovec l = {buf, 3}, rm = {buf, 3};
            SHOW("vmwrite", process_vm_writev(getppid(), &l, 1, &rm, 1, 0));
            SHOW("getppid", getppid() > 0 ? 0 : -1);
            return 0;
        }
        """

    @Test func filterRefusesTheEscapeHatches() throws {
        let bin = try Harness.compile("evasion", Self.evasionSource)
        let r = try Harness.defend([bin])
        #expect(r.status == 0)
        let lines = Set(r.stdout.split(separator: "\n").map(String.init))
        #expect(lines.contains("io_uring=-1/1"))
        #expect(lines.contains("listener=-1/1"))
        #expect(lines.contains("plainfilter=0/0"))  // stacking a harmless filter is fine
        #expect(lines.contains("ptrace=-1/1"))
        #expect(lines.contains("vmwrite=-1/1"))
        #expect(lines.contains("getppid=0/0"))
        // The same program outside the defender is not refused: the refusals above are the filter's.
        let native = try Harness.run([bin])
        #expect(!native.stdout.contains("io_uring=-1/1"))
    }

    static let int80Source = """
        #include <stdint.h>
        #include <stdio.h>
        #include <string.h>
        static char path[256], proof[256];
        static uint32_t av[3];
        static uint32_t sockargs[3] = {2, 1, 0};
        static long int80(long nr, long b, long c, long d) {
            long ret;
            __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(b), "c"(c), "d"(d) : "memory");
            return ret;
        }
        int main(int argc, char **argv) {
            strcpy(path, argv[1]);
            strcpy(proof, argv[2]);
            av[0] = (uint32_t)(uintptr_t)path;
            av[1] = (uint32_t)(uintptr_t)proof;
            av[2] = 0;
            printf("socketcall=%ld\\n", int80(102, 1, (long)(uintptr_t)sockargs, 0));
            printf("socket=%ld\\n", int80(359, 2, 1, 0));
            fflush(stdout);
            long r = int80(11, (long)(uintptr_t)path, (long)(uintptr_t)av, 0);
            printf("exec=%ld\\n", r);
            return 3;
        }
        """

    @Test func int80ExecveAndSocketsAreCaught() throws {
        let bin = try Harness.compile("evasion-int80", Self.int80Source, flags: ["-static", "-no-pie"])
        let marker = try Harness.markerProgram(name: "int80-target")
        // Alert: the 32-bit execve really works on this kernel (so the prevent case below means something).
        let proofAlert = Harness.tempPath("ran")
        let alert = try Harness.defend(policy: ProcessPolicyTests.policy(effect: "alert", denied: ["int80-target"]), [bin, marker, proofAlert])
        #expect(alert.status == 0)
        #expect(Harness.exists(proofAlert))
        #expect(alert.stdout.contains("socketcall=-1\n"))  // -EPERM: 32-bit networking is refused outright
        #expect(alert.stdout.contains("socket=-1\n"))
        // Prevent: refused at the execve (-EACCES = -13), the target never runs.
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(denied: ["int80-target"]), [bin, marker, proof])
        #expect(r.stdout.contains("exec=-13"))
        #expect(r.status == 3)
        #expect(!Harness.exists(proof))
        // Not allowed: killed at the exec event.
        let proof2 = Harness.tempPath("ran")
        let r2 = try Harness.defend(policy: Self.allowShells, [bin, marker, proof2])
        #expect(r2.status == 137)
        #expect(!Harness.exists(proof2))
    }

    static let threadExecSource = """
        #include <pthread.h>
        #include <stdio.h>
        #include <unistd.h>
        static char **args;
        static void *run(void *unused) {
            execv(args[1], args + 1);
            perror("execv");
            _exit(9);
        }
        int main(int argc, char **argv) {
            args = argv;
            pthread_t t;
            pthread_create(&t, 0, run, 0);
            for (;;) pause();
        }
        """

    @Test func execFromANonLeaderThread() throws {
        let bin = try Harness.compile("evasion-thread", Self.threadExecSource)
        let marker = try Harness.markerProgram(name: "thread-target")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: Self.allowShells, [bin, marker, proof])
        #expect(r.status == 137)
        #expect(!Harness.exists(proof))
        // An allowed program exec'd from a thread runs normally (the event arrives under the thread-group id).
        let ok = try Harness.defend(policy: Self.allowShells, [bin, "/bin/sh", "-c", "exit 7"])
        #expect(ok.status == 7)
    }

    static let vforkSource = """
        #include <stdio.h>
        #include <sys/wait.h>
        #include <unistd.h>
        int main(int argc, char **argv) {
            pid_t p = vfork();
            if (p == 0) {
                execv(argv[1], argv + 1);
                _exit(99);
            }
            int st = 0;
            waitpid(p, &st, 0);
            if (WIFSIGNALED(st)) printf("signal=%d\\n", WTERMSIG(st)); else printf("exit=%d\\n", WEXITSTATUS(st));
            return 0;
        }
        """

    @Test func vforkExec() throws {
        let bin = try Harness.compile("evasion-vfork", Self.vforkSource)
        let marker = try Harness.markerProgram(name: "vfork-target")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: Self.allowShells, [bin, marker, proof])
        #expect(r.stdout == "signal=9\n")
        #expect(!Harness.exists(proof))
        let ok = try Harness.defend(policy: ProcessPolicyTests.policy(allowed: ["evasion*", "vfork-target"]), [bin, marker, proof])
        #expect(ok.stdout == "exit=0\n")
        #expect(Harness.exists(proof))
    }

    static let memfdSource = """
        #define _GNU_SOURCE
        #include <fcntl.h>
        #include <stdio.h>
        #include <sys/mman.h>
        #include <unistd.h>
        extern char **environ;
        int main(int argc, char **argv) {
            int src = open(argv[1], O_RDONLY);
            int fd = memfd_create(argv[2], 0);
            char buf[65536];
            ssize_t n;
            while ((n = read(src, buf, sizeof buf)) > 0) write(fd, buf, n);
            char *args[] = {argv[2], argv[3], 0};
            fexecve(fd, args, environ);
            perror("fexecve");
            return 9;
        }
        """

    @Test func memfdExec() throws {
        let bin = try Harness.compile("evasion-memfd", Self.memfdSource)
        let marker = try Harness.markerProgram(name: "memfd-payload")
        // Named like a miner: caught by name even though it has no path on disk.
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(effect: "alert", miners: "prevent"), [bin, marker, "xmrig", proof])
        #expect(r.status == 137)
        #expect(!Harness.exists(proof))
        #expect(r.audits.contains { $0[string: "attackType"] == "cryptoMiner" && $0[string: "processPath"]?.hasPrefix("/memfd:xmrig") == true })
        // Named like an allowed program: the name does not make it allowed.
        let proof2 = Harness.tempPath("ran")
        let r2 = try Harness.defend(policy: Self.allowShells, [bin, marker, "python3", proof2])
        #expect(r2.status == 137)
        #expect(!Harness.exists(proof2))
    }

    static let raceSource = """
        #include <pthread.h>
        #include <stdio.h>
        #include <string.h>
        #include <sys/wait.h>
        #include <unistd.h>
        static char path[512];
        static const char *good = "/bin/true", *bad;
        static volatile int stop;
        static void *flip(void *u) {
            while (!stop) { strcpy(path, bad); strcpy(path, good); }
            return 0;
        }
        int main(int argc, char **argv) {
            bad = argv[1];
            int ran = 0;
            for (int i = 0; i < atoi(argv[3]); i++) {
                pid_t p = fork();
                if (p == 0) {
                    strcpy(path, good);
                    pthread_t t;
                    pthread_create(&t, 0, flip, 0);
                    usleep(100);
                    char *args[] = {path, argv[2], 0};
                    execv(path, args);
                    _exit(1);
                }
                waitpid(p, 0, 0);
            }
            return 0;
        }
        """

    @Test func racingThreadCannotSwapThePathAfterTheCheck() throws {
        let bin = try Harness.compile("evasion-race", "#include <stdlib.h>\n" + Self.raceSource)
        let marker = try Harness.markerProgram(name: "race-target")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(denied: ["race-target"]), [bin, marker, proof, "150"])
        #expect(r.status == 0)
        #expect(!Harness.exists(proof))
    }

    @Test func staticProgramUnderTheDefender() throws {
        let marker = try Harness.markerProgram(name: "static-ok")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(denied: ["nc"]), [marker, proof])
        #expect(r.status == 0)
        #expect(Harness.exists(proof))
    }

    @Test func clone3ChildExec() throws {
        let bin = try Harness.compile(
            "evasion-clone3",
            """
            #define _GNU_SOURCE
            #include <errno.h>
            #include <linux/sched.h>
            #include <signal.h>
            #include <stdio.h>
            #include <string.h>
            #include <sys/syscall.h>
            #include <sys/wait.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                struct clone_args ca;
                memset(&ca, 0, sizeof ca);
                ca.exit_signal = SIGCHLD;
                long p = syscall(SYS_clone3, &ca, sizeof ca);
                if (p < 0) {
                    printf("refused=%d\\n", errno);
                    return 0;
                }
                if (p == 0) {
                    execv(argv[1], argv + 1);
                    _exit(99);
                }
                int st = 0;
                waitpid((pid_t)p, &st, 0);
                if (WIFSIGNALED(st)) printf("signal=%d\\n", WTERMSIG(st)); else printf("exit=%d\\n", WEXITSTATUS(st));
                return 0;
            }
            """
        )
        let marker = try Harness.markerProgram(name: "clone3-target")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: Self.allowShells, [bin, marker, proof])
        // clone3 keeps its flags in memory the filter cannot read (CLONE_UNTRACED among them): refused with
        // ENOSYS, as a kernel without clone3 would, and C libraries fall back to clone.
        #expect(r.stdout == "refused=38\n")
        #expect(!Harness.exists(proof))
    }

    /// A static musl program resolving through musl's own resolver (sendto to each nameserver).
    @Test func staticMuslResolver() throws {
        guard Harness.exists("/usr/bin/musl-gcc") else { return }
        let bin = try Harness.compile(
            "musl-resolve",
            """
            #include <arpa/inet.h>
            #include <netdb.h>
            #include <stdio.h>
            int main(int argc, char **argv) {
                for (int i = 1; i < argc; i++) {
                    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
                    int rc = getaddrinfo(argv[i], "80", &hints, &res);
                    char buf[64] = "error";
                    if (rc == 0) inet_ntop(AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, buf, sizeof buf);
                    printf("%s %s\\n", argv[i], buf);
                }
                return 0;
            }
            """,
            compiler: "/usr/bin/musl-gcc"
        )
        let up = try DNSTests.Upstream(address: "127.0.0.81")
        let conf = try Harness.write("nameserver 127.0.0.81\n", to: "resolv.conf")
        let hosts = try Harness.write("127.0.0.1 localhost\n", to: "hosts")
        let policyPath = try Harness.write(DNSTests.policy, to: "policy.json")
        let r = try Harness.run([
            "/usr/bin/unshare", "-m", "/bin/sh", "-c",
            "mount --bind \(conf) /etc/resolv.conf && mount --bind \(hosts) /etc/hosts && exec \"$@\"", "sh",
            Harness.defender, "defend", "--policy", policyPath, "--audit-log", "/dev/null", "--", bin, "ok.test", "x.pastebin.com",
        ])
        #expect(r.stdout == "ok.test 127.0.0.1\nx.pastebin.com error\n")
        #expect(up.queries.allSatisfy { $0 == "ok.test" })
        #expect(up.queries.contains("ok.test"))
    }

    @Test func procSelfFdExec() throws {
        let bin = try Harness.compile(
            "evasion-procfd",
            """
            #include <errno.h>
            #include <fcntl.h>
            #include <stdio.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                int fd = open(argv[1], O_RDONLY);
                char path[64];
                snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
                char *args[] = {path, argv[2], 0};
                execv(path, args);
                printf("errno=%d\\n", errno);
                return 3;
            }
            """
        )
        let marker = try Harness.markerProgram(name: "procfd-target")
        let proof = Harness.tempPath("ran")
        let r = try Harness.defend(policy: ProcessPolicyTests.policy(denied: ["procfd-target"]), [bin, marker, proof])
        #expect(r.stdout == "errno=\(EACCES)\n")
        #expect(!Harness.exists(proof))
        let ok = try Harness.defend(policy: ProcessPolicyTests.policy(denied: ["nc"]), [bin, marker, proof])
        #expect(ok.status == 0)
        #expect(Harness.exists(proof))
    }
}
