import Foundation
import ScuteCore
import Testing

/// Connections, datagrams and listening ports of real programs under the defender.
@Suite(.serialized) struct NetworkTests {
    static let python = "/usr/bin/python3"

    static func policy(effect: String = "prevent", _ fields: String) -> String {
        #"{"rules": [{"name": "net", "network": {"effect": "\#(effect)", \#(fields)}}]}"#
    }

    /// A client that tries each (family, host, port) and prints ok or the errno name.
    static let client = """
        import errno, socket, sys
        for spec in sys.argv[1:]:
            kind, host, port = spec.split(",")
            fam = socket.AF_INET6 if ":" in host else socket.AF_INET
            try:
                if kind == "tcp":
                    s = socket.socket(fam, socket.SOCK_STREAM)
                    s.settimeout(5)
                    s.connect((host, int(port)))
                elif kind == "udp":
                    s = socket.socket(fam, socket.SOCK_DGRAM)
                    s.sendto(b"x", (host, int(port)))
                elif kind == "msg":
                    s = socket.socket(fam, socket.SOCK_DGRAM)
                    s.sendmsg([b"x"], [], 0, (host, int(port)))
                elif kind == "listen":
                    s = socket.socket(fam, socket.SOCK_STREAM)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind((host, int(port)))
                    s.listen()
                print(spec, "ok")
            except OSError as e:
                print(spec, errno.errorcode.get(e.errno, e.errno))
        """

    /// A listening TCP socket on loopback; returns its port.
    static func listener(_ host: String = "127.0.0.1") throws -> (Int32, Int) {
        let fam = host.contains(":") ? AF_INET6 : AF_INET
        let fd = socket(fam, Int32(SOCK_STREAM.rawValue), 0)
        if fam == AF_INET {
            var sin = sockaddr_in()
            sin.sin_family = sa_family_t(AF_INET)
            sin.sin_addr.s_addr = inet_addr(host)
            _ = withUnsafePointer(to: &sin) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var sin6 = sockaddr_in6()
            sin6.sin6_family = sa_family_t(AF_INET6)
            inet_pton(AF_INET6, host, &sin6.sin6_addr)
            _ = withUnsafePointer(to: &sin6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        listen(fd, 16)
        var ss = sockaddr_storage()
        var len = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &ss) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = withUnsafeBytes(of: ss) { Int($0[2]) << 8 | Int($0[3]) }
        return (fd, port)
    }

    func lines(_ r: Harness.Result) -> [String: String] {
        var out: [String: String] = [:]
        for l in r.stdout.split(separator: "\n") {
            let parts = l.split(separator: " ")
            if parts.count == 2 { out[String(parts[0])] = String(parts[1]) }
        }
        return out
    }

    @Test func deniedPortIsRefusedAndOthersConnect() throws {
        let (a, pa) = try Self.listener()
        let (b, pb) = try Self.listener()
        defer {
            close(a)
            close(b)
        }
        let r = try Harness.defend(
            policy: Self.policy(#""deniedOutboundPorts": [{"start": \#(pa), "end": \#(pa)}]"#),
            [Self.python, "-c", Self.client, "tcp,127.0.0.1,\(pa)", "tcp,127.0.0.1,\(pb)"]
        )
        let l = lines(r)
        #expect(l["tcp,127.0.0.1,\(pa)"] == "ECONNREFUSED")
        #expect(l["tcp,127.0.0.1,\(pb)"] == "ok")
        let a0 = try #require(r.audits.first)
        #expect(a0[string: "type"] == "network")
        #expect(a0[string: "attackType"] == "deniedOutboundPort")
        #expect(a0["port"]?.intValue == pa)
        #expect(a0[string: "ip"] == "127.0.0.1")
    }

    @Test func ipv6AndV4MappedDestinations() throws {
        let (a, pa) = try Self.listener("::1")
        let (b, pb) = try Self.listener()
        defer {
            close(a)
            close(b)
        }
        let r = try Harness.defend(
            policy: Self.policy(#""deniedIPs": ["::1/128", "127.0.0.0/8"]"#),
            [Self.python, "-c", Self.client, "tcp,::1,\(pa)", "tcp,::ffff:127.0.0.1,\(pb)"]
        )
        let l = lines(r)
        #expect(l["tcp,::1,\(pa)"] == "ECONNREFUSED")
        #expect(l["tcp,::ffff:127.0.0.1,\(pb)"] == "ECONNREFUSED")
        #expect(r.audits.filter { $0[string: "attackType"] == "explicitlyDeniedIP" }.count == 2)
        // Without the rule both connect.
        let ok = try Harness.defend([Self.python, "-c", Self.client, "tcp,::1,\(pa)", "tcp,::ffff:127.0.0.1,\(pb)"])
        #expect(lines(ok).values.allSatisfy { $0 == "ok" })
    }

    @Test func datagramsWithADestinationAreChecked() throws {
        let r = try Harness.defend(
            policy: Self.policy(#""deniedIPs": ["127.0.0.9"]"#),
            [Self.python, "-c", Self.client, "udp,127.0.0.9,9999", "msg,127.0.0.9,9999", "udp,127.0.0.8,9999"]
        )
        let l = lines(r)
        #expect(l["udp,127.0.0.9,9999"] == "ECONNREFUSED")
        #expect(l["msg,127.0.0.9,9999"] == "ECONNREFUSED")
        #expect(l["udp,127.0.0.8,9999"] == "ok")
    }

    @Test func alertOnlyRecords() throws {
        let (a, pa) = try Self.listener()
        defer { close(a) }
        let r = try Harness.defend(
            policy: Self.policy(effect: "alert", #""allowedIPs": ["10.0.0.0/8"]"#),
            [Self.python, "-c", Self.client, "tcp,127.0.0.1,\(pa)"]
        )
        #expect(lines(r)["tcp,127.0.0.1,\(pa)"] == "ok")
        #expect(r.audits.first?[string: "attackType"] == "notAllowedIP")
        #expect(r.audits.first?[string: "effect"] == "alert")
    }

    @Test func deniedListeningPorts() throws {
        let r = try Harness.defend(
            policy: Self.policy(#""deniedListeningPorts": [{"start": 2200, "end": 2299}]"#),
            [Self.python, "-c", Self.client, "listen,127.0.0.1,2222", "listen,127.0.0.1,0", "listen,::1,2223"]
        )
        let l = lines(r)
        #expect(l["listen,127.0.0.1,2222"] == "EACCES")
        #expect(l["listen,127.0.0.1,0"] == "ok")
        #expect(l["listen,::1,2223"] == "EACCES")
        #expect(r.audits.contains { $0[string: "type"] == "listening" && $0[string: "attackType"] == "deniedListeningPort" })
    }

    @Test func staticCProgramConnect() throws {
        let bin = try Harness.compile(
            "connector",
            """
            #include <arpa/inet.h>
            #include <errno.h>
            #include <stdio.h>
            #include <stdlib.h>
            #include <sys/socket.h>
            int main(int argc, char **argv) {
                int s = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[1]))};
                inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
                int r = connect(s, (struct sockaddr *)&a, sizeof a);
                printf("%d %d\\n", r, r < 0 ? errno : 0);
                return 0;
            }
            """
        )
        let (a, pa) = try Self.listener()
        defer { close(a) }
        let r = try Harness.defend(policy: Self.policy(#""deniedOutboundPorts": [\#(pa)]"#), [bin, String(pa)])
        #expect(r.stdout == "-1 \(ECONNREFUSED)\n")
        let ok = try Harness.defend([bin, String(pa)])
        #expect(ok.stdout == "0 0\n")
    }
}
