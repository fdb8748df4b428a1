import Testing

@testable import ScuteVulns

/// PyPI, npm, Go, Maven and RubyGems packages, found at a path.
@Suite struct LanguageMatchingTests {
    private func match(_ ecosystem: String, _ name: String, _ version: String) -> [VulnerabilityMatch] {
        Fixtures.matcher.match([InstalledPackage(ecosystem: ecosystem, name: name, version: version, path: "/app/lock")]).matches
    }

    @Test func pypiNamesAreNormalisedAndRangesUsePEP440() throws {
        let django = try #require(match("PyPI", "Django", "4.2.10").first)
        #expect(django.id == "GHSA-9201-aaaa-bbbb")
        #expect(django.fixed == "4.2.11")
        #expect(django.aliases == ["CVE-2024-27351", "PYSEC-2024-47"])
        #expect(django.path == "/app/lock")
        // The CVSS v3 vector (7.5) outranks the database's own MODERATE.
        #expect(django.severity == "HIGH")
        #expect(match("PyPI", "django", "5.0.3").isEmpty)
        #expect(match("PyPI", "django", "5.0rc1").map(\.fixed) == ["5.0.3"])
        #expect(match("PyPI", "Requests_OAuthlib", "1.3.1.0").map(\.state) == [.unfixed])
    }

    @Test func npmUsesSemVerAndWithdrawnRecordsNeverMatch() {
        let lodash = match("npm", "lodash", "4.17.20")
        #expect(lodash.map(\.id) == ["GHSA-9301-cccc-dddd"])
        #expect(lodash.first?.severity == "HIGH")
        #expect(match("npm", "lodash", "4.17.21").isEmpty)
        #expect(match("npm", "Lodash", "4.17.20").isEmpty)
        // Only a GIT range: not evaluated for an installed package.
        #expect(match("npm", "left-pad", "1.0.0").isEmpty)
    }

    @Test func goPseudoVersionsAndTheStandardLibrary() {
        #expect(match("Go", "golang.org/x/net", "v0.0.0-20210226172049-e18ecbb05110").map(\.fixed) == ["0.23.0"])
        #expect(match("Go", "golang.org/x/net", "v0.23.0").isEmpty)
        #expect(match("Go", "stdlib", "go1.21.3").map(\.fixed) == ["1.21.9"])
        #expect(match("Go", "stdlib", "go1.22.1").map(\.fixed) == ["1.22.2"])
        #expect(match("Go", "stdlib", "go1.22.2").isEmpty)
    }

    @Test func mavenRangesUseComparableVersion() throws {
        let log4j = try #require(match("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1").first)
        #expect(log4j.fixed == "2.15.0")
        #expect(log4j.severity == "CRITICAL")
        #expect(match("Maven", "org.apache.logging.log4j:log4j-core", "2.0-beta9").map(\.fixed) == ["2.3.1"])
        #expect(match("Maven", "org.apache.logging.log4j:log4j-core", "2.0-beta8").isEmpty)
        #expect(match("Maven", "org.apache.logging.log4j:log4j-core", "2.12.2").isEmpty)
        #expect(match("Maven", "org.apache.logging.log4j:log4j-core", "2.15.0-rc1").map(\.fixed) == ["2.15.0"])
    }

    @Test func rubyGemsLastAffectedIsInclusiveAndUnfixed() {
        #expect(match("RubyGems", "rack", "2.2.8").map(\.state) == [.unfixed])
        #expect(match("RubyGems", "rack", "2.2.8.1").isEmpty)
        #expect(match("RubyGems", "rack", "1.6.13").isEmpty)
    }

    @Test func entriesOfFamiliesScuteDoesNotMatchAreCounted() {
        #expect(Fixtures.matcher.unmatchedEntries == 1)
    }
}
