import Foundation
import Testing

@testable import ScuteVulns

/// Debian and Alpine: source packages, source versions, binary-only epochs and rebuilds, releases.
@Suite struct DistributionMatchingTests {
    private func ids(_ result: MatchResult, _ package: String) -> [String] {
        result.matches.filter { $0.package == package }.map(\.id)
    }

    @Test func aBinaryOnlyEpochDoesNotHideAnAdvisoryOnItsSource() throws {
        // bsdutils carries epoch 1 and a binNMU; its source util-linux has neither. Compared naively, the binary
        // version is above the fix and the advisory is missed.
        #expect(VersionScheme.debian.compare("1:2.38.1-5+b1", "2.38.1-5+deb12u1") == 1)
        let inventory = [
            InstalledPackage(ecosystem: "Debian", name: "bsdutils", version: "1:2.38.1-5+b1", source: "util-linux", sourceVersion: "2.38.1-5"),
            InstalledPackage(ecosystem: "Debian", name: "util-linux", version: "2.38.1-5+b1", source: "util-linux", sourceVersion: "2.38.1-5"),
            InstalledPackage(ecosystem: "Debian", name: "libc6", version: "2.36-9+deb12u7", source: "glibc"),
        ]
        let result = Fixtures.matcher.match(inventory, release: "Debian:12")
        let bsdutils = try #require(result.matches.first { $0.package == "bsdutils" })
        #expect(bsdutils.id == "DSA-9001-1")
        #expect(bsdutils.installed == "1:2.38.1-5+b1")
        #expect(bsdutils.fixed == "2.38.1-5+deb12u1")
        #expect(bsdutils.state == .fixed)
        #expect(bsdutils.source == "util-linux")
        #expect(bsdutils.sourceVersion == "2.38.1-5")
        #expect(ids(result, "util-linux") == ["DSA-9001-1"])
        // glibc's fix (2.36-9+deb12u4) is older than what is installed.
        #expect(ids(result, "libc6").isEmpty)
        #expect(result.skipped.isEmpty)
    }

    @Test func theFixedSourceVersionIsNotReported() {
        let inventory = [
            InstalledPackage(
                ecosystem: "Debian",
                name: "bsdutils",
                version: "1:2.38.1-5+deb12u1",
                source: "util-linux",
                sourceVersion: "2.38.1-5+deb12u1"
            )
        ]
        #expect(Fixtures.matcher.match(inventory, release: "Debian:12").matches.isEmpty)
    }

    @Test func anAdvisoryWithoutAFixIsReportedUnfixed() throws {
        let inventory = [InstalledPackage(ecosystem: "Debian", name: "libssl3", version: "3.0.11-1~deb12u2", source: "openssl")]
        let result = Fixtures.matcher.match(inventory, release: "Debian:12")
        let match = try #require(result.matches.first)
        #expect(match.id == "DEBIAN-CVE-2024-9002")
        #expect(match.fixed == nil)
        #expect(match.state == .unfixed)
        let json = try String(decoding: JSONEncoder().encode(match), as: UTF8.self)
        #expect(json.contains(#""state":"unfixed""#))
        #expect(!json.contains(#""fixed""#))
    }

    @Test func aRebuildOfAListedSourceVersionIsAffected() {
        // dpkg names the source without a version when it equals the binary's, except for the +bN of a rebuild.
        let inventory = [InstalledPackage(ecosystem: "Debian", name: "libfoo1", version: "1.0-1+b1", source: "libfoo")]
        let result = Fixtures.matcher.match(inventory)
        #expect(ids(result, "libfoo1") == ["DEBIAN-CVE-2024-9004"])
        #expect(result.matches.first?.sourceVersion == "1.0-1")
        #expect(VulnerabilityMatcher.droppingBinNMU("1.0-1+b12", ecosystem: "Debian") == "1.0-1")
        #expect(VulnerabilityMatcher.droppingBinNMU("1.0+b1.2", ecosystem: "Debian") == "1.0+b1.2")
    }

    @Test func theReleaseSelectsThatReleasesRecords() {
        let utilLinux = [InstalledPackage(ecosystem: "Debian", name: "util-linux", version: "2.38.1-5")]
        // Debian 11's fix is older than bookworm's version: not affected when the system is Debian 11.
        #expect(Fixtures.matcher.match(utilLinux, release: "Debian:11").matches.isEmpty)
        #expect(Fixtures.matcher.match(utilLinux, release: "Debian:12.5").matches.map(\.id) == ["DSA-9001-1"])
        #expect(Fixtures.matcher.match(utilLinux, release: "debian:11").matches.isEmpty)
        // Without a release every Debian release's record is considered.
        #expect(Fixtures.matcher.match(utilLinux).matches.map(\.id) == ["DSA-9001-1"])

        let busybox = [InstalledPackage(ecosystem: "Alpine", name: "busybox-binsh", version: "1.36.1-r15", source: "busybox")]
        let on319 = Fixtures.matcher.match(busybox, release: "Alpine:v3.19")
        #expect(on319.matches.map(\.fixed) == ["1.36.1-r16"])
        #expect(Fixtures.matcher.match(busybox, release: "Alpine:3.18.4").matches.isEmpty)
        #expect(Fixtures.matcher.match(busybox).matches.map(\.fixed) == ["1.36.1-r16"])
    }

    @Test func aReleaseOfAnotherDistributionDoesNotNarrowThisOne() {
        let inventory = [InstalledPackage(ecosystem: "Debian", name: "util-linux", version: "2.38.1-5")]
        #expect(Fixtures.matcher.match(inventory, release: "Alpine:v3.19").matches.map(\.id) == ["DSA-9001-1"])
    }

    @Test func anIndexForOneInventoryMatchesAsTheFullIndex() {
        let inventory = [
            InstalledPackage(ecosystem: "Debian", name: "bsdutils", version: "1:2.38.1-5+b1", source: "util-linux", sourceVersion: "2.38.1-5"),
            InstalledPackage(ecosystem: "Debian", name: "libssl3", version: "3.0.11-1~deb12u2", source: "openssl"),
            InstalledPackage(ecosystem: "PyPI", name: "Django", version: "4.2.10"),
            InstalledPackage(ecosystem: "Go", name: "stdlib", version: "go1.21.3"),
        ]
        let narrow = VulnerabilityMatcher(advisories: Fixtures.advisories, for: inventory)
        let expected = Fixtures.matcher.match(inventory, release: "Debian:12")
        #expect(expected.matches.count == 4)
        #expect(narrow.match(inventory, release: "Debian:12") == expected)
    }

    @Test func invalidVersionsAndUnknownEcosystemsAreSkippedWithAReason() {
        let inventory = [
            InstalledPackage(ecosystem: "Debian", name: "broken", version: "1:"),
            InstalledPackage(ecosystem: "Cargo", name: "serde", version: "1.0.0"),
        ]
        let result = Fixtures.matcher.match(inventory)
        #expect(result.matches.isEmpty)
        #expect(result.skipped.map(\.reason) == ["version 1: is not a valid debian version", "ecosystem Cargo is not matched"])
    }
}
