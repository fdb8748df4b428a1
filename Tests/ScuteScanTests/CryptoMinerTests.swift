import Foundation
import Testing

@testable import ScuteScan

/// Check 426.
@Suite struct CryptoMinerTests {
    func scan(_ root: TestRoot) throws -> [Finding] {
        try ImageScanner(root: root.path, options: ScanOptions(checks: [.cryptoMiners])).scan().findings(426)
    }

    @Test func copyOfSleepNamedXmrig() throws {
        let root = TestRoot()
        root.makeFolder("tmp")
        try run("/bin/cp", ["/bin/sleep", root.path + "/tmp/xmrig"])
        let findings = try scan(root)
        #expect(findings.map(\.path) == ["/tmp/xmrig"])
        #expect(findings.first?.kind == "miner-name")
        #expect(findings.first?.severity == .critical)
    }

    @Test(arguments: ["xmrig", "XMRig-6.21.0", "t-rex", "kdevtmpfsi", "lolMiner", "xmr-stak", "nbminer.exe"])
    func minerNames(name: String) {
        #expect(MinerNames.isMinerName(Substring(name)))
    }

    @Test(arguments: ["xmrigger.txt", "sleep", "minerva", "libcgminer-doc", "kinsingx"])
    func otherNames(name: String) {
        #expect(!MinerNames.isMinerName(Substring(name)))
    }

    @Test func poolURLsInScriptsAndBinariesButNotDocumentation() throws {
        let root = TestRoot()
        root.write("usr/local/bin/start.sh", "#!/bin/sh\nexec /opt/m -o stratum+tcp://pool.example.com:3333 -u wallet\n", mode: 0o755)
        var elf: [UInt8] = [0x7f, 0x45, 0x4c, 0x46] + [UInt8](repeating: 0, count: 2_000_000)
        elf += Array("stratum+ssl://pool.example.net:443".utf8)
        root.write("opt/helper", elf, mode: 0o644)
        root.write("usr/share/doc/xmrig/README.md", "Point xmrig at stratum+tcp://pool.example.com:3333\n")
        root.write("usr/share/man/man1/xmrig.1", "xmrig manual\n")
        let findings = try scan(root)
        #expect(findings.map(\.path) == ["/opt/helper", "/usr/local/bin/start.sh"])
        #expect(findings.allSatisfy { $0.kind == "pool-url" })
    }
}
