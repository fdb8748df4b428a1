import ScuteCore
import Testing

@Suite struct PolicyYAMLTests {
    static let issueExample = """
        # The payments rule, as the issue writes it in JSON.
        ---
        rules:
          - name: payments
            collections:
              - appIDs: ["payments*"]
                images: ['*']
                containers: ["*"]
            processes:
              effect: prevent
              allowed: []
              denied: [nc, /usr/bin/curl, "*miner*"]   # quoted: * starts an alias
              cryptoMiners: prevent
            dns:
              effect: prevent
              allowed: []
              denied:
              - "*.pastebin.com"
              - evil.example
            network:
              effect: alert
              allowedIPs: []
              deniedIPs: [169.254.169.254/32]
              allowedOutboundPorts: []
              deniedOutboundPorts: [{start: 6660, end: 6669}]
              deniedListeningPorts:
                - start: 22
                  end: 22
        """

    static let issueJSON = """
        {"rules": [{"name": "payments", "collections": [{"appIDs": ["payments*"], "images": ["*"], "containers": ["*"]}],
          "processes": {"effect": "prevent", "allowed": [], "denied": ["nc", "/usr/bin/curl", "*miner*"], "cryptoMiners": "prevent"},
          "dns":       {"effect": "prevent", "allowed": [], "denied": ["*.pastebin.com", "evil.example"]},
          "network":   {"effect": "alert", "allowedIPs": [], "deniedIPs": ["169.254.169.254/32"],
                        "allowedOutboundPorts": [], "deniedOutboundPorts": [{"start": 6660, "end": 6669}],
                        "deniedListeningPorts": [{"start": 22, "end": 22}]}}]}
        """

    @Test func yamlReadsAsTheSameDocumentAsJSON() throws {
        #expect(try PolicyYAML.parse(Self.issueExample) == JSONValue.parse(Self.issueJSON))
        #expect(try Policy.parse(text: Self.issueExample) == Policy.parse(json: Self.issueJSON))
    }

    @Test func scalarsAndFlowCollections() throws {
        let v = try PolicyYAML.parse("a: 1\nb: -2.5\nc: true\nd: ~\ne: 'it''s'\nf: \"tab\\tx\"\ng: {x: [1, two], y: {}}\nh: plain text here\n")
        #expect(
            v == [
                "a": 1, "b": .number("-2.5"), "c": true, "d": nil, "e": "it's", "f": "tab\tx", "g": ["x": [1, "two"], "y": [:]],
                "h": "plain text here",
            ]
        )
    }

    @Test(arguments: [
        ("a: 1\n  b: 2\n", "line 2: unexpected indentation"),
        ("a: [1, 2\n", "line 1: unterminated [ list"),
        ("a: &x 1\n", "line 1: anchors, aliases, tags and block scalars are not supported"),
        ("a: 1\na: 2\n", "line 2: duplicate key \"a\""),
        ("a: |\n  text\n", "line 1: anchors, aliases, tags and block scalars are not supported"),
        ("a: 'open\n", "line 1: unterminated single-quoted string"),
        ("", "line 1: the document is empty"),
    ])
    func errorsNameTheLine(text: String, message: String) {
        do {
            _ = try PolicyYAML.parse(text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.hasPrefix(message), "\(error.description)")
        }
    }

    @Test func fieldErrorsStillNameTheField() {
        do {
            _ = try Policy.parse(text: "rules:\n  - name: r\n    processes:\n      effect: block\n")
            Issue.record("accepted effect: block")
        } catch {
            #expect(error.description.hasPrefix("rules[0].processes.effect"), "\(error.description)")
        }
    }
}
