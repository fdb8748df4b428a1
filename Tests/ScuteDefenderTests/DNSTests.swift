import Foundation
import ScuteCore
import Testing

/// DNS through the defender's forwarder, against a small upstream server of the test's own on 127.0.0.x:53.
@Suite(.serialized) struct DNSTests {
    static let python = "/usr/bin/python3"
    static let policy = """
        {"rules": [{"name": "dns", "dns": {"effect": "prevent", "denied": ["*.pastebin.com", "evil.example"]},
          "network": {"effect": "prevent", "deniedIPs": ["blocked.test"]}}]}
        """

    /// Answers every A query (blocked.* with 127.0.0.66, the rest with 127.0.0.1), over UDP and TCP, and
    /// logs each name it was asked.
    static let upstreamSource = """
        import socket, struct, sys, threading
        addr, log = sys.argv[1], sys.argv[2]
        def answer(q):
            i, labels = 12, []
            while q[i]:
                labels.append(q[i + 1:i + 1 + q[i]].decode()); i += 1 + q[i]
            name = ".".join(labels); qtype = struct.unpack(">H", q[i + 1:i + 3])[0]
            with open(log, "a") as f: f.write(name + "\\n")
            ip = "127.0.0.66" if name.startswith("blocked") else "127.0.0.1"
            head = q[:2] + b"\\x81\\x80" + q[4:6] + (b"\\x00\\x01" if qtype == 1 else b"\\x00\\x00") + b"\\x00\\x00\\x00\\x00"
            body = q[12:i + 5]
            if qtype == 1: body += b"\\xc0\\x0c\\x00\\x01\\x00\\x01\\x00\\x00\\x00\\x78\\x00\\x04" + socket.inet_aton(ip)
            return head + body
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((addr, 53))
        t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind((addr, 53)); t.listen()
        def tcp():
            while True:
                c, _ = t.accept()
                n = struct.unpack(">H", c.recv(2))[0]; q = b""
                while len(q) < n: q += c.recv(n - len(q))
                a = answer(q); c.sendall(struct.pack(">H", len(a)) + a); c.close()
        threading.Thread(target=tcp, daemon=True).start()
        open(log + ".ready", "w").close()
        while True:
            q, peer = u.recvfrom(4096); u.sendto(answer(q), peer)
        """

    /// A raw DNS client: prints "NAME RCODE IP" per query, over udp or tcp.
    static let clientSource = """
        import socket, struct, sys
        server, transport = sys.argv[1], sys.argv[2]
        for name in sys.argv[3:]:
            q = b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00" + b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\\x00\\x00\\x01\\x00\\x01"
            if transport == "udp":
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(5)
                s.sendto(q, (server, 53)); r, peer = s.recvfrom(4096)
            else:
                s = socket.create_connection((server, 53), timeout=5); s.sendall(struct.pack(">H", len(q)) + q)
                n = struct.unpack(">H", s.recv(2))[0]; r = b""
                while len(r) < n: r += s.recv(n - len(r))
            ip = socket.inet_ntoa(r[-4:]) if struct.unpack(">H", r[6:8])[0] else "-"
            print(name, r[3] & 15, ip)
        """

    final class Upstream {
        let process: Process
        let log: String
        let address: String

        init(address: String) throws {
            self.address = address
            log = Harness.tempPath("queries")
            process = Process()
            process.executableURL = URL(fileURLWithPath: DNSTests.python)
            process.arguments = ["-c", DNSTests.upstreamSource, address, log]
            try process.run()
            if !LifecycleTests.waitFor(log + ".ready") { Issue.record("test DNS server did not start on \(address):53") }
        }

        var queries: [String] { ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func results(_ r: Harness.Result) -> [String: String] {
        var out: [String: String] = [:]
        for l in r.stdout.split(separator: "\n") {
            let p = l.split(separator: " ", maxSplits: 1)
            if p.count == 2 { out[String(p[0])] = String(p[1]) }
        }
        return out
    }

    @Test(arguments: ["udp", "tcp"])
    func rawClientsGetNXDOMAINForDeniedNames(transport: String) throws {
        let up = try Upstream(address: transport == "udp" ? "127.0.0.77" : "127.0.0.78")
        let r = try Harness.defend(
            policy: Self.policy,
            [Self.python, "-c", Self.clientSource, up.address, transport, "ok.test", "paste.PASTEBIN.com", "evil.example"]
        )
        let res = results(r)
        #expect(res["ok.test"] == "0 127.0.0.1")
        #expect(res["paste.PASTEBIN.com"] == "3 -")
        #expect(res["evil.example"] == "3 -")
        // Denied names never left the container; allowed ones went to the server the app asked.
        #expect(up.queries == ["ok.test"])
        let audit = try #require(r.audits.first { $0[string: "type"] == "dns" })
        #expect(audit[string: "domain"] == "paste.pastebin.com")
        #expect(audit[string: "attackType"] == "explicitlyDeniedDNS")
        #expect(audit[string: "effect"] == "prevent")
    }

    @Test func learnedNamesFeedNetworkRules() throws {
        let up = try Upstream(address: "127.0.0.79")
        let (fd, port) = try NetworkTests.listener("127.0.0.66")
        defer { close(fd) }
        let script = """
            import socket, subprocess, sys
            def connect():
                try:
                    socket.create_connection(("127.0.0.66", \(port)), timeout=5); return "ok"
                except OSError as e:
                    return e.strerror
            print("before", connect())
            subprocess.run([sys.executable, "-c", sys.argv[1], "127.0.0.79", "udp", "blocked.test"], check=True)
            print("after", connect())
            """
        // Answers teach names only when they come from a configured resolver: here, the test's server.
        let r = try Harness.defend(policy: Self.policy, [Self.python, "-c", script, Self.clientSource], options: ["--dns-resolver", "127.0.0.79"])
        let res = results(r)
        #expect(res["before"] == "ok")
        #expect(res["blocked.test"] == "0 127.0.0.66")
        #expect(res["after"] == "Connection refused")
        #expect(up.queries == ["blocked.test"])
        let audit = try #require(r.audits.first { $0[string: "type"] == "network" })
        #expect(audit[string: "domain"] == "blocked.test")
        #expect(audit[string: "attackType"] == "explicitlyDeniedIP")
    }

    /// glibc's own resolver (getaddrinfo: connect + sendmmsg), with resolv.conf pointing at the test
    /// server inside a private mount namespace.
    @Test func glibcResolver() throws {
        let up = try Upstream(address: "127.0.0.80")
        let conf = try Harness.write("nameserver 127.0.0.80\noptions attempts:1 timeout:2\n", to: "resolv.conf")
        let hosts = try Harness.write("127.0.0.1 localhost\n", to: "hosts")
        let audit = Harness.tempPath("audit")
        let policyPath = try Harness.write(Self.policy, to: "policy.json")
        let script = """
            import socket, sys
            for name in sys.argv[1:]:
                try:
                    print(name, socket.getaddrinfo(name, 80, socket.AF_INET, socket.SOCK_STREAM)[0][4][0])
                except socket.gaierror as e:
                    print(name, "gaierror")
            """
        let r = try Harness.run([
            "/usr/bin/unshare", "-m", "/bin/sh", "-c",
            "mount --bind \(conf) /etc/resolv.conf && mount --bind \(hosts) /etc/hosts && exec \"$@\"", "sh",
            Harness.defender, "defend", "--policy", policyPath, "--audit-log", audit, "--", Self.python, "-c", script, "ok.test", "evil.example",
        ])
        let res = results(r)
        #expect(res["ok.test"] == "127.0.0.1")
        #expect(res["evil.example"] == "gaierror")
        #expect(!up.queries.contains("evil.example"))
        #expect(up.queries.contains("ok.test"))
        let text = (try? String(contentsOfFile: audit, encoding: .utf8)) ?? ""
        #expect(text.contains("\"domain\":\"evil.example\""))
    }

    /// Go's own resolver (static, CGO_ENABLED=0: connect + write on UDP sockets, no libc).
    @Test func goResolver() throws {
        guard Harness.exists("/usr/bin/go") else { return }
        let dir = Harness.tempPath("go")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try """
        package main

        import (
        	"context"
        	"fmt"
        	"net"
        	"os"
        )

        func main() {
        	r := &net.Resolver{PreferGo: true}
        	for _, n := range os.Args[1:] {
        		addrs, err := r.LookupHost(context.Background(), n)
        		if err != nil {
        			fmt.Println(n, "error")
        		} else {
        			fmt.Println(n, addrs[0])
        		}
        	}
        }
        """.write(toFile: dir + "/main.go", atomically: true, encoding: .utf8)
        let build = try Harness.run(
            ["/usr/bin/go", "build", "-o", dir + "/goresolve", dir + "/main.go"],
            environment: [
                "CGO_ENABLED": "0", "GOCACHE": Harness.work.path + "/gocache", "GOPATH": Harness.work.path + "/gopath", "GOFLAGS": "-mod=mod",
            ],
            timeout: 120
        )
        try #require(build.status == 0, "go build: \(build.stderr)")
        let up = try Upstream(address: "127.0.0.82")
        let conf = try Harness.write("nameserver 127.0.0.82\n", to: "resolv.conf")
        let hosts = try Harness.write("127.0.0.1 localhost\n", to: "hosts")
        let policyPath = try Harness.write(Self.policy, to: "policy.json")
        let r = try Harness.run([
            "/usr/bin/unshare", "-m", "/bin/sh", "-c",
            "mount --bind \(conf) /etc/resolv.conf && mount --bind \(hosts) /etc/hosts && exec \"$@\"", "sh",
            Harness.defender, "defend", "--policy", policyPath, "--audit-log", "/dev/null", "--", dir + "/goresolve", "ok.test", "evil.example",
        ])
        #expect(r.stdout == "ok.test 127.0.0.1\nevil.example error\n")
        #expect(up.queries.contains("ok.test"))
        #expect(!up.queries.contains("evil.example"))
    }
}
