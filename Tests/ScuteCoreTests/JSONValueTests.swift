import ScuteCore
import Testing

@Suite struct JSONValueTests {
    @Test func keepsKeyOrderAndNumberSpelling() throws {
        let text = """
            {
              "zeta": 1.50,
              "alpha": [1e3, -0, 12345678901234567890],
              "mid": {"b": true, "a": null}
            }
            """
        let value = try JSONValue.parse(text)
        #expect(value.objectValue?.keys == ["zeta", "alpha", "mid"])
        #expect(value.objectValue?["mid"]?.objectValue?.keys == ["b", "a"])
        let out = value.serialized(.compact)
        #expect(out == #"{"zeta":1.50,"alpha":[1e3,-0,12345678901234567890],"mid":{"b":true,"a":null}}"#)
    }

    @Test func roundTripsIndentedText() throws {
        let text = """
            {
              "a": [
                "x",
                {}
              ],
              "b": [],
              "c": "quote \\" backslash \\\\ newline \\n tab \\t é ☃"
            }
            """
        let value = try JSONValue.parse(text)
        #expect(value.serialized(.indented("  ")) == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let value = try JSONValue.parse(#"["\u00e9\ud83d\ude00\/", "\u0001"]"#)
        #expect(value.stringArrayValue == ["é😀/", "\u{01}"])
        #expect(value.serialized(.compact) == #"["é😀/","\u0001"]"#)
    }

    @Test(arguments: [
        ("", "line 1, column 1: empty input"),
        ("{\"a\": 1,}", "line 1, column 9: unexpected '}'"),
        ("{\n  \"a\": tru\n}", "line 2, column 8: invalid literal"),
        ("[1, 2", "line 1, column 6: unexpected end of input"),
        ("{\"a\": 1, \"a\": 2}", "line 1, column 10: duplicate key \"a\""),
        ("\"abc", "line 1, column 1: unterminated string"),
        ("01", "line 1, column 2: invalid number: leading zero"),
        ("{} x", "line 1, column 4: unexpected 'x' after the end"),
        ("\"\\ud800\"", "line 1, column 8: lone surrogate"),
        ("\"a\tb\"", "line 1, column 3: unescaped control character"),
        ("[1.]", "line 1, column 4: invalid number"),
    ])
    func rejectsMalformedInputNamingThePlace(input: String, expected: String) {
        do {
            _ = try JSONValue.parse(input)
            Issue.record("parsed malformed input \(input)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }

    @Test func rejectsDeepNesting() {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(deep) }
    }

    @Test func objectEditingKeepsPositions() {
        var o = JSONObject(["a": 1, "b": 2, "c": 3])
        o["b"] = "two"
        o["d"] = 4
        o["a"] = nil
        o.insert(0, forKey: "first", at: 0)
        #expect(o.keys == ["first", "b", "c", "d"])
        #expect(o["b"] == "two")
    }

    @Test(arguments: [
        ("{\n    \"a\": 1\n}", JSONValue.Layout.indented("    ")),
        ("{\n\t\"a\": 1\n}", .indented("\t")),
        ("{\"a\": 1}", .indented("  ")),
        ("{\n\"a\": {\n  \"b\": 1}\n}", .indented("  ")),
    ])
    func detectsIndentation(text: String, layout: JSONValue.Layout) {
        #expect(JSONValue.detectLayout(of: text) == layout)
    }

    @Test func numericAccessors() throws {
        let v = try JSONValue.parse("[256, \"x\", 2.0, 2.5]")
        let a = try #require(v.arrayValue)
        #expect(a[0].intValue == 256)
        #expect(a[1].intValue == nil)
        #expect(a[2].intValue == 2)
        #expect(a[3].intValue == nil)
    }
}

@Suite struct JSONLayoutTests {
    @Test func oneLineCollectionsStayOnOneLine() throws {
        let text = """
            {
              "requiresCompatibilities": ["FARGATE"],
              "containerDefinitions": [
                { "name": "a", "dependsOn": [{ "containerName": "b", "condition": "START" }] },
                {
                  "name": "b",
                  "command": ["sh", "-c", "echo hi"],
                  "empty": []
                }
              ]
            }
            """
        let (value, hints) = try JSONValue.parseKeepingLayout(text)
        #expect(value.serialized(.indented("  "), keeping: hints) == text)
        #expect(hints.inline[[.key("requiresCompatibilities")]] == JSONLayoutHints.Inline(padded: false))
        #expect(hints.inline[[.key("containerDefinitions"), .index(0)]] == JSONLayoutHints.Inline(padded: true))
        // An edited document keeps the style of what it kept; new parts are written indented.
        var o = try #require(value.objectValue)
        var list = try #require(o["containerDefinitions"]?.arrayValue)
        list.append(["name": "c", "command": ["x"]])
        o["containerDefinitions"] = .array(list)
        let out = JSONValue.object(o).serialized(.indented("  "), keeping: hints)
        #expect(out.contains(#"    { "name": "a", "dependsOn": [{ "containerName": "b", "condition": "START" }] },"#))
        #expect(out.contains("    {\n      \"name\": \"c\",\n      \"command\": [\n        \"x\"\n      ]\n    }"))
        #expect(hints.under([.key("containerDefinitions")]).inline[[.index(0)]] != nil)
    }
}

extension JSONLayoutTests {
    @Test func oneLineCollectionThatGrowsTooLongIsExpanded() throws {
        let (value, hints) = try JSONValue.parseKeepingLayout("{\n  \"a\": { \"b\": [1, 2], \"c\": 3 }\n}")
        var a = try #require(value.objectValue?["a"]?.objectValue)
        a["d"] = .string(String(repeating: "x", count: 160))
        let out = JSONValue.object(JSONObject(["a": .object(a)])).serialized(.indented("  "), keeping: hints)
        #expect(out.hasPrefix("{\n  \"a\": {\n    \"b\": [1, 2],\n    \"c\": 3,\n    \"d\": \"xxx"))
    }
}
