import Testing

@testable import ScuteVulns

@Suite struct OSVDecodingTests {
    private func decode(_ json: String) throws -> [OSVAdvisory] {
        try OSVAdvisory.records(fromJSON: Array(json.utf8))
    }

    private func error(_ json: String) -> VulnsError? {
        do {
            _ = try decode(json)
            return nil
        } catch {
            return error as? VulnsError
        }
    }

    @Test func readsTheFieldsMatchingNeeds() throws {
        let advisory = Fixtures.advisory("DSA-9001-1")
        #expect(advisory.modified == "2024-04-02T10:00:00Z")
        #expect(advisory.aliases == ["CVE-2024-28085"])
        #expect(advisory.affected.count == 2)
        let entry = advisory.affected[0]
        #expect(entry.ecosystem == "Debian:12")
        #expect(entry.name == "util-linux")
        #expect(entry.purl == "pkg:deb/debian/util-linux?arch=source")
        #expect(entry.ranges == [OSVRange(type: "ECOSYSTEM", events: [OSVEvent(.introduced, "0"), OSVEvent(.fixed, "2.38.1-5+deb12u1")])])
    }

    @Test func readsSeveritiesAtBothLevelsAndLastAffected() throws {
        let django = Fixtures.advisory("GHSA-9201-aaaa-bbbb")
        #expect(django.severity == [OSVSeverity(type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H")])
        #expect(django.databaseSeverity == "MODERATE")
        #expect(django.affected[0].ranges[1].events.count == 4)
        let rack = Fixtures.advisory("GHSA-9601-gggg-hhhh")
        #expect(rack.affected[0].ranges[0].events.last == OSVEvent(.lastAffected, "2.2.8"))
        #expect(Fixtures.advisory("WITHDRAWN-9701").withdrawn == "2024-01-02T00:00:00Z")
    }

    @Test func readsAnArrayOfRecordsEscapesAndNulls() throws {
        let records = try decode(
            #"""
            [
              {"id": "A-1", "modified": "2024-01-01T00:00:00Z", "aliases": null, "summary": "caf\u00e9 \ud83d\ude00 \"quoted\" \\",
               "affected": [{"package": {"ecosystem": "npm", "name": "caf\u00e9"}, "versions": ["1.0.0"], "database_specific": {"nested": [1, 2.5e3, true, false, null, {"x": []}]}}]},
              {"id": "A-2", "modified": "2024-01-01T00:00:00Z", "affected": []}
            ]
            """#
        )
        #expect(records.map(\.id) == ["A-1", "A-2"])
        #expect(records[0].aliases.isEmpty)
        #expect(records[0].affected[0].name == "café")
        #expect(records[0].affected[0].versions == ["1.0.0"])
    }

    @Test func decodesSurrogatePairsInValues() throws {
        let records = try decode(#"{"id": "\ud83d\ude00-\u0041", "affected": []}"#)
        #expect(records[0].id == "😀-A")
    }

    @Test func invalidJSONNamesTheByte() {
        #expect(error(#"{"id": "A", "affected": [}"#)?.message == "invalid JSON at byte 25: expected a value")
        #expect(error(#"{"id": "A" "affected": []}"#)?.message == "invalid JSON at byte 11: expected ',' or '}'")
        #expect(error(#"{"id": "A", "affected": []} x"#)?.message == "invalid JSON at byte 28: expected the end of the document")
        #expect(error(#"{"id": "unterminated}"#)?.message == "invalid JSON at byte 7: expected the end of the string")
        #expect(error(#"{"id": "bad \x escape"}"#)?.message == "invalid JSON at byte 7: expected valid escapes in the string")
    }

    @Test func wrongTypesAndMissingFieldsNameTheField() {
        #expect(error(#"{"id": 5}"#)?.message == "id must be a string")
        #expect(error(#"{"id": "A", "affected": {}}"#)?.message == "affected must be an array")
        #expect(error(#"{"id": "A", "affected": [{"package": {"name": 1}}]}"#)?.message == "affected[].package.name must be a string")
        #expect(error(#"{"id": "A", "affected": [{"ranges": [{"events": []}]}]}"#)?.message == "missing required field affected[].ranges[].type")
        #expect(error(#"{"modified": "2024-01-01T00:00:00Z"}"#)?.message == "missing required field id")
        #expect(error(#"[1]"#)?.message == "record must be an object")
    }

    @Test func timestampsCompareByTimeNotText() {
        #expect(Timestamp.isEarlier("2024-05-01T08:30:00Z", than: "2024-05-01T08:30:00.123456Z"))
        #expect(Timestamp.isEarlier("2024-05-01T10:30:00+02:00", than: "2024-05-01T08:30:01Z"))
        #expect(Timestamp.seconds("1970-01-02T00:00:00Z") == 86_400)
        #expect(Timestamp.seconds("2024-13-01T00:00:00Z") == nil)
    }
}
