import Foundation
import ScuteCore
import ScuteDefender
import Testing

/// Port 53 is judged like any destination, only DNS goes through the forwarder, names are learned only
/// from answers to the app's own question from a configured resolver, and the forwarder's bounds refuse.
@Suite(.serialized) struct DNSHardeningTests {
    static let python = "/usr/bin/python3"

    /// A DNS server that logs every message it receives (hex), and answers queries from a table:
    /// argv: ADDRESS LOG then NAME=ANSWER... where ANSWER is `a:IP` or `cname:TARGET,a:IP` (records of
    /// the CNAME target follow), `inject:NAME:IP` answers with a record for another name.
    static let serverSource = """
        import socket, struct, sys
        addr, log = sys.argv[1], sys.argv[2]
        table = dict(a.split("=", 1) for a in sys.argv[3:])
        def enc(name):
            return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\\0"
        def rr(name, typ, data):
            return enc(name) + struct.pack(">HHIH", typ, 1, 120, len(data)) + data
        def answer(q):
            i, labels = 12, []
            while q[i]:
                labels.append(q[i + 1:i + 1 + q[i]].decode()); i += 1 + q[i]
            name = ".".join(labels)
            records = []
            for part in table.get(name, "").split(","):
                if part.startswith("a:"): records.append(rr(records and cur or name, 1, socket.inet_aton(part[2:])))
                elif part.startswith("cname:"): cur = part[6:]; records.append(rr(name, 5, enc(cur)))
                elif part.startswith("inject:"): _, other, ip = part.split(":"); records.append(rr(other, 1, socket.inet_aton(ip)))
            head = q[:2] + b"\\x81\\x80" + q[4:6] + struct.pack(">HHH", len(records), 0, 0)
            return head + q[12:i + 5] + b"".join(records)
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind((addr, 53))
        open(log + ".ready", "w").close()
        while True:
            q, peer = u.recvfrom(4096)
            with open(log, "a") as f: f.write(q.hex() + "\\n")
            try: u.sendto(answer(q), peer)
            except Exception: pass
        """

    /// A client: for each NAME@SERVER, queries it over UDP and prints NAME rcode-or-error; for each
    /// `connect:IP:PORT`, connects and prints ok or the error; `send:NAME@SERVER` sends the query without
    /// waiting; `junk:SERVER` sends a datagram that is not DNS.
    static let clientSource = """
        import socket, struct, sys
        for spec in sys.argv[1:]:
            try:
                if spec.startswith("connect:"):
                    _, ip, port = spec.split(":")
                    socket.create_connection((ip, int(port)), timeout=5).close(); print(spec, "ok")
                elif spec.startswith("send:"):
                    name, server = spec[5:].split("@")
                    q = b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00" + b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\\x00\\x00\\x01\\x00\\x01"
                    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(q, (server, 53)); print(spec, "sent")
                elif spec.startswith("junk:"):
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.sendto(b"GET / HTTP/1.0\\r\\n\\r\\n", (spec[5:], 53)); print(spec, "sent")
                else:
                    name, server = spec.split("@")
                    q = b"\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00" + b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\\x00\\x00\\x01\\x00\\x01"
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
                    s.sendto(q, (server, 53)); r, _ = s.recvfrom(4096)
                    print(spec, r[3] & 15)
            except OSError as e:
                print(spec, e.strerror or type(e).__name__)
        """

    final class Server {
        let process = Process()
        let log = Harness.tempPath("dns-log")

        init(_ address: String, _ table: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: DNSHardeningTests.python)
            process.arguments = ["-c", DNSHardeningTests.serverSource, address, log] + table
            try process.run()
            if !LifecycleTests.waitFor(log + ".ready") { Issue.record("test DNS server did not start on \(address):53") }
        }

        var received: [[UInt8]] {
            ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map { hex in
                stride(from: 0, to: hex.count, by: 2).map { i in
                    UInt8(hex[hex.index(hex.startIndex, offsetBy: i)..<hex.index(hex.startIndex, offsetBy: i + 2)], radix: 16) ?? 0
                }
            }
        }

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

    static func policy(_ network: String, dns: String = #"{"effect": "prevent", "denied": ["evil.example"]}"#) -> String {
        #"{"rules": [{"name": "r", "dns": \#(dns), "network": {"effect": "prevent", \#(network)}}]}"#
    }

    @Test func aDeniedDNSServerIsRefusedLikeAnyOtherDestination() throws {
        let server = try Server("127.0.0.83", ["ok.test=a:127.0.0.1"])
        let r = try Harness.defend(
            policy: Self.policy(#""deniedIPs": ["127.0.0.83"]"#),
            [Self.python, "-c", Self.clientSource, "ok.test@127.0.0.83", "ok.test@127.0.0.84"]
        )
        let res = results(r)
        #expect(res["ok.test@127.0.0.83"] == "Connection refused")
        #expect(server.received.isEmpty)
        let audit = try #require(r.audits.first { $0[string: "ip"] == "127.0.0.83" })
        #expect(audit[string: "attackType"] == "explicitlyDeniedIP")
        #expect(audit["port"]?.intValue == 53)
    }

    @Test func onlyWellFormedQueriesAreForwarded() throws {
        let server = try Server("127.0.0.84", ["ok.test=a:127.0.0.1"])
        let r = try Harness.defend(
            policy: Self.policy(#""deniedIPs": []"#),
            [Self.python, "-c", Self.clientSource, "junk:127.0.0.84", "ok.test@127.0.0.84"]
        )
        let res = results(r)
        #expect(res["junk:127.0.0.84"] == "sent")
        #expect(res["ok.test@127.0.0.84"] == "0")
        // The server saw the query and nothing else.
        #expect(server.received.count == 1)
        #expect(server.received.first.flatMap { DNSMessage(bytes: $0)?.queryName } == "ok.test")
        let audit = try #require(r.audits.first { $0[string: "attackType"] == "malformedDNS" })
        #expect(audit[string: "effect"] == "prevent")
        #expect(audit[string: "msg"]?.contains("not a well-formed DNS query") == true)
    }

    @Test func answersFromAServerTheAppPicksTeachNothing() throws {
        let trusted = try Server("127.0.0.85", ["good.test=a:127.0.0.1"])
        let chosen = try Server("127.0.0.86", ["good.test=a:127.0.0.1"])
        let (fd, port) = try NetworkTests.listener()
        defer { close(fd) }
        let r = try Harness.defend(
            policy: Self.policy(#""allowedIPs": ["good.test", "127.0.0.85", "127.0.0.86"]"#),
            [
                Self.python, "-c", Self.clientSource, "good.test@127.0.0.86", "connect:127.0.0.1:\(port)", "good.test@127.0.0.85",
                "connect:127.0.0.1:\(port)",
            ],
            options: ["--dns-resolver", "127.0.0.85"]
        )
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "good.test@127.0.0.86 0", "connect:127.0.0.1:\(port) Connection refused", "good.test@127.0.0.85 0", "connect:127.0.0.1:\(port) ok",
            ]
        )
        #expect(trusted.received.count == 1 && chosen.received.count == 1)
    }

    @Test func onlyTheQuestionAndItsAliasChainAreLearned() throws {
        let server = try Server("127.0.0.87", ["sneaky.test=inject:good.test:127.0.0.1", "alias.test=cname:good.test,a:127.0.0.2"])
        defer { withExtendedLifetime(server) {} }
        let (fd1, port1) = try NetworkTests.listener("127.0.0.1")
        let (fd2, port2) = try NetworkTests.listener("127.0.0.2")
        defer {
            close(fd1)
            close(fd2)
        }
        let r = try Harness.defend(
            policy: Self.policy(#""allowedIPs": ["good.test", "127.0.0.87"]"#),
            [
                Self.python, "-c", Self.clientSource, "sneaky.test@127.0.0.87", "connect:127.0.0.1:\(port1)", "alias.test@127.0.0.87",
                "connect:127.0.0.2:\(port2)",
            ],
            options: ["--dns-resolver", "127.0.0.87"]
        )
        let res = results(r)
        // A record for good.test in the answer to sneaky.test is not the answer to its question.
        #expect(res["connect:127.0.0.1:\(port1)"] == "Connection refused")
        // alias.test -> good.test -> 127.0.0.2: the chain of the question itself is.
        #expect(res["connect:127.0.0.2:\(port2)"] == "ok")
    }

    @Test func pastTheForwarderBoundTheConnectionIsRefusedNotLetThrough() throws {
        let servers = (1...20).map { "send:x.test@127.0.1.\($0)" }
        let r = try Harness.defend(policy: Self.policy(#""deniedIPs": []"#), [Self.python, "-c", Self.clientSource] + servers, timeout: 90)
        let res = results(r)
        let refused = servers.filter { res[$0] == "Connection refused" }
        #expect(refused.count == 20 - 16, "\(res)")
        #expect(r.audits.filter { $0[string: "attackType"] == "checkFailed" }.count == refused.count)
    }
}
