import ScuteCore
import Testing

@Suite struct PolicyEvaluationTests {
    let rule = try! Policy.parse(json: PolicyParsingTests.issueExample).rules[0]

    @Test func deniedProcessByNameAndPath() {
        let v = rule.evaluate(ProcessLaunch(path: "/usr/bin/nc"))
        #expect(v.action == .prevent)
        #expect(v.attackType == .explicitlyDeniedProcess)
        #expect(v.rule == "payments")
        // A path entry only matches that path.
        #expect(rule.evaluate(ProcessLaunch(path: "/usr/bin/curl")).attackType == .explicitlyDeniedProcess)
        #expect(rule.evaluate(ProcessLaunch(path: "/opt/curl")).action == .allow)
        // The name as exec'd counts too (nc is a symlink to nc.openbsd).
        #expect(rule.evaluate(ProcessLaunch(path: "/usr/bin/nc.openbsd", otherPaths: ["/bin/nc"])).prevents)
        #expect(rule.evaluate(ProcessLaunch(path: "/bin/ls")) == .allow)
    }

    @Test func cryptoMinersAreTheirOwnFinding() {
        let byName = rule.evaluate(ProcessLaunch(path: "/tmp/.x/XMRig"))
        #expect(byName.attackType == .cryptoMiner)
        let byURL = rule.evaluate(ProcessLaunch(path: "/tmp/kworker", arguments: ["kworker", "-o", "STRATUM+TCP://pool:3333"]))
        #expect(byURL.attackType == .cryptoMiner)
        #expect(byURL.prevents)
        #expect(rule.evaluate(ProcessLaunch(path: "/bin/echo", arguments: ["echo", "stratum is a cloud layer"])) == .allow)
        var off = rule
        off.processes.cryptoMiners = .disable
        off.processes.effect = .disable
        #expect(off.evaluate(ProcessLaunch(path: "/tmp/xmrig")) == .allow)
    }

    @Test func allowedListMakesEverythingElseAViolation() {
        let r = Rule(name: "r", processes: ProcessRules(effect: .alert, allowed: ["python3*", "/bin/sh", "dash"]))
        #expect(r.evaluate(ProcessLaunch(path: "/usr/bin/python3.11")) == .allow)
        #expect(r.evaluate(ProcessLaunch(path: "/usr/bin/dash", aliases: ["/bin/sh"])) == .allow)
        // A name the app chose (a symlink in /tmp, a script) does not make a program allowed...
        #expect(r.evaluate(ProcessLaunch(path: "/usr/bin/nc.openbsd", otherPaths: ["/tmp/python3"])).attackType == .notAllowedProcess)
        // ...but still makes it denied.
        let d = Rule(name: "d", processes: ProcessRules(effect: .prevent, denied: ["*.sh"]))
        #expect(d.evaluate(ProcessLaunch(path: "/usr/bin/dash", otherPaths: ["/tmp/evil.sh"])).prevents)
        let v = r.evaluate(ProcessLaunch(path: "/usr/bin/wget"))
        #expect(v.action == .alert)
        #expect(v.attackType == .notAllowedProcess)
        #expect(r.evaluateEarly(ProcessLaunch(path: "/usr/bin/wget")) == .allow)
    }

    @Test func deniedBeatsAllowed() {
        let r = Rule(name: "r", processes: ProcessRules(effect: .prevent, allowed: ["*"], denied: ["nc"]))
        #expect(r.evaluate(ProcessLaunch(path: "/bin/nc")).attackType == .explicitlyDeniedProcess)
    }

    @Test(arguments: [
        ("paste.pastebin.com", AttackType?.some(.explicitlyDeniedDNS)), ("A.B.PASTEBIN.COM.", .explicitlyDeniedDNS),
        ("pastebin.com", nil), ("notpastebin.com", nil), ("Evil.Example.", .explicitlyDeniedDNS), ("sub.evil.example", nil),
        ("example.com", nil),
    ])
    func domains(name: String, expected: AttackType?) {
        #expect(rule.evaluate(domain: name).attackType == expected)
    }

    @Test func dnsAllowedList() {
        let r = Rule(name: "r", dns: DNSRules(effect: .prevent, allowed: ["*.amazonaws.com", "api.stripe.com."]))
        #expect(r.evaluate(domain: "s3.us-east-1.AMAZONAWS.com") == .allow)
        #expect(r.evaluate(domain: "api.stripe.com") == .allow)
        #expect(r.evaluate(domain: "stripe.com").attackType == .notAllowedDNS)
        #expect(r.evaluate(domain: "stripe.com").prevents)
    }

    @Test func connections() throws {
        let metadata = try #require(IPAddress("169.254.169.254"))
        #expect(rule.evaluateConnection(ip: metadata, port: 80).attackType == .explicitlyDeniedIP)
        #expect(rule.evaluateConnection(ip: metadata, port: 80).action == .alert)
        // The v4-mapped form of the same address is the same address.
        #expect(rule.evaluateConnection(ip: try #require(IPAddress("::ffff:169.254.169.254")), port: 80).attackType == .explicitlyDeniedIP)
        #expect(rule.evaluateConnection(ip: try #require(IPAddress("10.0.0.1")), port: 6667).attackType == .deniedOutboundPort)
        #expect(rule.evaluateConnection(ip: try #require(IPAddress("10.0.0.1")), port: 6670) == .allow)
        #expect(rule.evaluateListening(port: 22).attackType == .deniedListeningPort)
        #expect(rule.evaluateListening(port: 8080) == .allow)
    }

    @Test func allowedIPsPortsAndLearnedNames() throws {
        let r = Rule(
            name: "n",
            network: NetworkRules(
                effect: .prevent,
                allowedIPs: ["10.0.0.0/8", "2001:db8::/32", "*.internal.example"].compactMap(NetworkEntry.init),
                deniedIPs: ["evil.example"].compactMap(NetworkEntry.init),
                allowedOutboundPorts: [PortRange(443), PortRange(start: 8000, end: 8999)]
            )
        )
        let ext = try #require(IPAddress("93.184.216.34"))
        #expect(r.evaluateConnection(ip: try #require(IPAddress("10.1.2.3")), port: 443) == .allow)
        #expect(r.evaluateConnection(ip: try #require(IPAddress("2001:db8::5")), port: 8080) == .allow)
        #expect(r.evaluateConnection(ip: ext, port: 443).attackType == .notAllowedIP)
        #expect(r.evaluateConnection(ip: ext, port: 443, domains: ["db.internal.example."]) == .allow)
        #expect(r.evaluateConnection(ip: ext, port: 443, domains: ["EVIL.example"]).attackType == .explicitlyDeniedIP)
        #expect(r.evaluateConnection(ip: try #require(IPAddress("10.1.2.3")), port: 22).attackType == .notAllowedOutboundPort)
    }
}

@Suite struct IPAddressTests {
    @Test(arguments: [
        ("1.2.3.4", "1.2.3.4"), ("::1", "::1"), ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"), ("::", "::"),
        ("::ffff:10.0.0.1", "10.0.0.1"), ("::FFFF:a00:1", "10.0.0.1"), ("fe80::1%eth0", "fe80::1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
    ])
    func parsesAndPrints(text: String, printed: String) throws {
        #expect(try #require(IPAddress(text)).description == printed)
    }

    @Test(arguments: ["1.2.3", "256.1.1.1", "01.2.3.4", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", "", "a.b.c.d", "::ffff:1.2.3"])
    func rejects(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test func cidr() throws {
        let n = try #require(IPNetwork("10.128.0.0/9"))
        #expect(n.contains(try #require(IPAddress("10.200.1.1"))))
        #expect(!n.contains(try #require(IPAddress("10.1.1.1"))))
        #expect(!n.contains(try #require(IPAddress("::1"))))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(try #require(IPAddress("::ffff:8.8.8.8"))))
        let mapped = try #require(IPNetwork("::ffff:192.168.0.0/112"))
        #expect(mapped.contains(try #require(IPAddress("192.168.7.7"))))
        let v6 = try #require(IPNetwork("fd00::/8"))
        #expect(v6.contains(try #require(IPAddress("fdab::1"))))
        #expect(!v6.contains(try #require(IPAddress("fe00::1"))))
        #expect(IPNetwork("1.2.3.4/-1") == nil)
        #expect(IPNetwork("::/129") == nil)
    }
}
