import ScuteCore
import Testing

@Suite struct PolicyParsingTests {
    static let issueExample = """
        {"rules": [{"name": "payments", "collections": [{"appIDs": ["payments*"], "images": ["*"], "containers": ["*"]}],
          "processes": {"effect": "prevent", "allowed": [], "denied": ["nc", "/usr/bin/curl", "*miner*"], "cryptoMiners": "prevent"},
          "dns":       {"effect": "prevent", "allowed": [], "denied": ["*.pastebin.com", "evil.example"]},
          "network":   {"effect": "alert", "allowedIPs": [], "deniedIPs": ["169.254.169.254/32"],
                        "allowedOutboundPorts": [], "deniedOutboundPorts": [{"start": 6660, "end": 6669}],
                        "deniedListeningPorts": [{"start": 22, "end": 22}]}}]}
        """

    @Test func parsesTheIssueExample() throws {
        let policy = try Policy.parse(json: Self.issueExample)
        let rule = try #require(policy.rules.first)
        #expect(rule.name == "payments")
        #expect(rule.processes.effect == .prevent)
        #expect(rule.processes.denied.map(\.pattern) == ["nc", "/usr/bin/curl", "*miner*"])
        #expect(rule.processes.cryptoMiners == .prevent)
        #expect(rule.dns.effect == .prevent)
        #expect(rule.network.effect == .alert)
        #expect(rule.network.deniedOutboundPorts == [PortRange(start: 6660, end: 6669)])
        #expect(rule.network.deniedListeningPorts == [PortRange(22)])
        #expect(policy.rule(for: AppIdentity(appID: "payments-api", image: "x", container: "c")) != nil)
        #expect(policy.rule(for: AppIdentity(appID: "orders", image: "x", container: "c")) == nil)
    }

    @Test(arguments: [
        (#"{"rules": [{"processes": {"effect": "block"}}]}"#, "rules[0].processes.effect: expected one of disable, alert, prevent"),
        (#"{"rules": [{"dns": {"denyed": []}}]}"#, "rules[0].dns.denyed: unknown field (expected one of allowed, denied, effect)"),
        (
            #"{"rules": [{}, {"network": {"deniedIPs": ["10.0.0.0/33"]}}]}"#,
            "rules[1].network.deniedIPs[0]: expected an IP address, a CIDR block or a domain name: 10.0.0.0/33"
        ),
        (
            #"{"rules": [{"network": {"deniedOutboundPorts": [{"start": 70000}]}}]}"#,
            "rules[0].network.deniedOutboundPorts[0].start: expected a port number 0-65535"
        ),
        (
            #"{"rules": [{"network": {"deniedOutboundPorts": [{"start": 9, "end": 5}]}}]}"#,
            "rules[0].network.deniedOutboundPorts[0].end: end 5 is before start 9"
        ),
        (#"{"rules": [{"collections": [{"appIDs": [3]}]}]}"#, "rules[0].collections[0].appIDs[0]: expected a string, found number"),
        (#"{"rules": {}}"#, "policy.rules: expected an array, found object"),
        (#"{}"#, "policy.rules: missing"),
        (#"{"rules": [{"processes": {"denied": [""]}}]}"#, "rules[0].processes.denied[0]: empty entry"),
    ])
    func rejectsBadPoliciesNamingTheField(text: String, message: String) {
        #expect(throws: PolicyError.self) { try Policy.parse(json: text) }
        do {
            _ = try Policy.parse(json: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func syntaxErrorsSayWhere() {
        do {
            _ = try Policy.parse(json: "{\"rules\": [}")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.hasPrefix("policy is not valid JSON: line 1"))
        }
    }

    @Test func missingEffectsDefaultToAlert() throws {
        let p = try Policy.parse(json: #"{"rules": [{"name": "r", "processes": {"denied": ["nc"]}}]}"#)
        #expect(p.rules[0].processes.effect == .alert)
        #expect(p.rules[0].processes.cryptoMiners == .alert)
        #expect(p.rules[0].dns.effect == .disable)
    }
}

@Suite struct CollectionTests {
    @Test func firstMatchingRuleApplies() {
        let policy = Policy(rules: [
            Rule(name: "a", collections: [Collection(appIDs: ["pay*"], images: ["registry/*:1.*"])]),
            Rule(name: "b", collections: [Collection(containers: ["web", "api"])]),
            Rule(name: "default"),
        ])
        #expect(policy.rule(for: AppIdentity(appID: "payments", image: "registry/pay:1.2", container: "x"))?.name == "a")
        #expect(policy.rule(for: AppIdentity(appID: "payments", image: "registry/pay:2.0", container: "x"))?.name == "default")
        #expect(policy.rule(for: AppIdentity(appID: "other", image: "i", container: "api"))?.name == "b")
        #expect(policy.rule(for: AppIdentity(appID: "other", image: "i", container: "apis"))?.name == "default")
    }

    @Test(arguments: [
        ("*", "", true), ("*", "anything", true), ("a*c", "abc", true), ("a*c", "ac", true), ("a*c", "acb", false),
        ("*miner*", "xmrminer64", true), ("pay*", "PAYMENTS", false), ("a*b*c", "aXbYbZc", true), ("", "", true), ("", "a", false),
    ])
    func wildcard(pattern: String, text: String, matches: Bool) {
        #expect(Wildcard(pattern).matches(text) == matches)
    }
}
