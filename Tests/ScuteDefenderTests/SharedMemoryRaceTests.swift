import Foundation
import Testing

/// A second task flips the destination in the connecting task's sockaddr between an allowed and a denied
/// port, by every way two tasks can share (or write) memory. The defender connects on its own copy of the
/// address, so no connection ever reaches the denied listener, and the allowed one still gets through.
@Suite(.serialized) struct SharedMemoryRaceTests {
    static let source = """
        #define _GNU_SOURCE
        #include <arpa/inet.h>
        #include <fcntl.h>
        #include <pthread.h>
        #include <sched.h>
        #include <signal.h>
        #include <stdio.h>
        #include <stdlib.h>
        #include <string.h>
        #include <sys/mman.h>
        #include <sys/socket.h>
        #include <sys/syscall.h>
        #include <sys/wait.h>
        #include <unistd.h>
        static struct sockaddr_in *a;
        static unsigned short good, bad;
        static int rounds;
        static volatile int stop;
        static void flip_forever(void) {
            volatile unsigned short *port = &a->sin_port;
            while (!stop) { *port = bad; *port = good; }
        }
        static void *flip_thread(void *u) { flip_forever(); return 0; }
        static int flip_clone(void *u) { flip_forever(); return 0; }
        static int connects(void) {
            int ok = 0;
            for (int i = 0; i < rounds; i++) {
                int s = socket(AF_INET, SOCK_STREAM, 0);
                if (connect(s, (struct sockaddr *)a, sizeof *a) == 0) { ok++; write(s, "x", 1); }
                close(s);
            }
            return ok;
        }
        int main(int argc, char **argv) {
            const char *mode = argv[1];
            good = htons(atoi(argv[2]));
            bad = htons(atoi(argv[3]));
            rounds = atoi(argv[4]);
            a = mmap(0, 4096, PROT_READ | PROT_WRITE, (strcmp(mode, "shared") == 0 ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
            a->sin_family = AF_INET;
            a->sin_port = good;
            inet_pton(AF_INET, "127.0.0.1", &a->sin_addr);
            int ok = 0;
            if (strcmp(mode, "thread") == 0) {
                pthread_t t;
                pthread_create(&t, 0, flip_thread, 0);
                ok = connects();
            } else if (strcmp(mode, "clonevm") == 0) {
                char *stack = malloc(1 << 16);
                int pid = clone(flip_clone, stack + (1 << 16), CLONE_VM | SIGCHLD, 0);
                ok = connects();
                kill(pid, SIGKILL);
            } else if (strcmp(mode, "shared") == 0) {
                int pid = fork();
                if (pid == 0) { flip_forever(); _exit(0); }
                ok = connects();
                kill(pid, SIGKILL);
            } else if (strcmp(mode, "procmem") == 0) {
                int pid = fork();
                if (pid == 0) { usleep(100000); _exit(connects() > 0 ? 0 : 1); }
                char p[64];
                snprintf(p, sizeof p, "/proc/%d/mem", pid);
                int fd = open(p, O_RDWR);
                printf("procmem-open %d\\n", fd >= 0);
                int status;
                while (waitpid(pid, &status, WNOHANG) == 0) {
                    pwrite(fd, &bad, 2, (off_t)(unsigned long)&a->sin_port);
                    pwrite(fd, &good, 2, (off_t)(unsigned long)&a->sin_port);
                }
                ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            } else if (strcmp(mode, "udp") == 0) {
                pthread_t t;
                pthread_create(&t, 0, flip_thread, 0);
                int s = socket(AF_INET, SOCK_DGRAM, 0);
                for (int i = 0; i < rounds; i++) {
                    if (sendto(s, "x", 1, 0, (struct sockaddr *)a, sizeof *a) == 1) ok++;
                    struct msghdr m = {0};
                    struct iovec v = {"y", 1};
                    m.msg_name = a;
                    m.msg_namelen = sizeof *a;
                    m.msg_iov = &v;
                    m.msg_iovlen = 1;
                    if (sendmsg(s, &m, 0) == 1) ok++;
                }
            } else if (strcmp(mode, "vfork") == 0) {
                pthread_t t;
                pthread_create(&t, 0, flip_thread, 0);
                for (int i = 0; i < rounds; i++) {
                    int s = socket(AF_INET, SOCK_STREAM, 0);
                    int pid = vfork();
                    if (pid == 0) {
                        int r = syscall(SYS_connect, s, a, sizeof *a);
                        _exit(r == 0 ? 0 : 1);
                    }
                    int status;
                    waitpid(pid, &status, 0);
                    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) { ok++; write(s, "x", 1); }
                    close(s);
                }
            }
            stop = 1;
            printf("connected %d\\n", ok);
            return 0;
        }
        """

    /// Accepts on both listeners until stopped; counts connections per listener.
    final class Listeners: @unchecked Sendable {
        let good: (Int32, Int)
        let bad: (Int32, Int)
        private let lock = NSLock()
        private var counts = [0, 0]
        private var done = false

        init() throws {
            good = try NetworkTests.listener()
            bad = try NetworkTests.listener()
        }

        var goodCount: Int { lock.withLock { counts[0] } }
        var badCount: Int { lock.withLock { counts[1] } }

        func start() {
            Thread { [self] in
                var fds = [pollfd(fd: good.0, events: Int16(POLLIN), revents: 0), pollfd(fd: bad.0, events: Int16(POLLIN), revents: 0)]
                while !lock.withLock({ done }) {
                    guard poll(&fds, 2, 50) > 0 else { continue }
                    for (i, p) in fds.enumerated() where p.revents != 0 {
                        let c = accept(p.fd, nil, nil)
                        guard c >= 0 else { continue }
                        lock.withLock { counts[i] += 1 }
                        close(c)
                    }
                }
                close(good.0)
                close(bad.0)
            }.start()
        }

        func stop() { lock.withLock { done = true } }
    }

    @Test(arguments: ["thread", "clonevm", "shared", "procmem", "vfork"])
    func noSharingRouteReachesTheDeniedPort(mode: String) throws {
        let bin = try Harness.compile("memory-race", Self.source)
        let listeners = try Listeners()
        listeners.start()
        defer { listeners.stop() }
        let r = try Harness.defend(
            policy: NetworkTests.policy(#""deniedOutboundPorts": [\#(listeners.bad.1)]"#),
            [bin, mode, String(listeners.good.1), String(listeners.bad.1), "200"],
            timeout: 60
        )
        usleep(200_000)
        #expect(r.status == 0, "\(mode): \(r.stderr)")
        #expect(listeners.badCount == 0, "\(mode): \(listeners.badCount) connections reached the denied port")
        #expect(listeners.goodCount > 0, "\(mode): nothing reached the allowed port")
        if mode == "procmem" { #expect(r.stdout.contains("procmem-open 1")) }
    }

    /// Datagrams: a destination swapped after the check would already be on the wire (nothing to verify
    /// after the call), so only a send on the tracer's copy is safe.
    @Test func noDatagramReachesTheDeniedPort() throws {
        let bin = try Harness.compile("memory-race", Self.source)
        func udp() -> (Int32, Int) {
            let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr.s_addr = inet_addr("127.0.0.1")
            _ = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &sin) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            var tv = timeval(tv_sec: 0, tv_usec: 1000)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            return (fd, Int(UInt16(bigEndian: sin.sin_port)))
        }
        let (good, goodPort) = udp()
        let (bad, badPort) = udp()
        defer {
            close(good)
            close(bad)
        }
        let r = try Harness.defend(
            policy: NetworkTests.policy(#""deniedOutboundPorts": [\#(badPort)]"#),
            [bin, "udp", String(goodPort), String(badPort), "500"],
            timeout: 60
        )
        #expect(r.status == 0, "\(r.stderr)")
        func drain(_ fd: Int32) -> Int {
            var n = 0
            var byte: UInt8 = 0
            while recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) == 1 { n += 1 }
            return n
        }
        #expect(drain(bad) == 0)
        #expect(drain(good) > 0)
    }
}
