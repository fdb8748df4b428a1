/// Check 426: names of known crypto-mining programs, and mining-pool URLs.
enum MinerNames {
    /// Program names, lower case. A file matches when its name is one of these, optionally followed by a
    /// version or platform suffix (`xmrig-6.21.0`, `xmrig.exe`, `xmrig_linux`).
    static let names: Set<String> = [
        "xmrig", "xmrig-notls", "xmrig-cuda", "xmrig-proxy", "xmr-stak", "xmr-stak-cpu", "xmr-stak-rx", "ccminer", "cpuminer",
        "cpuminer-multi", "cpuminer-opt", "minerd", "cgminer", "bfgminer", "sgminer", "ethminer", "nbminer", "t-rex", "phoenixminer",
        "lolminer", "teamredminer", "gminer", "srbminer", "srbminer-multi", "nanominer", "nheqminer", "kdevtmpfsi", "kinsing",
        "xmrminer", "ethdcrminer64", "nsfminer", "wildrig", "wildrig-multi", "z-enemy", "bminer",
        "minergate-cli", "cast_xmr", "jce_cn_cpu_miner", "xmrig-amd", "xmrig-nvidia", "cpuminer-gr",
        "verusminer", "hellminer", "onezerominer",
    ]

    /// True when `fileName` (the last path component) names a known miner.
    static func isMinerName(_ fileName: Substring) -> Bool {
        let lower = fileName.lowercased()
        if names.contains(lower) { return true }
        // A name followed by a separator and anything else: `xmrig-6.21`, `xmrig.exe`, `xmrig_x64`.
        var index = lower.startIndex
        while let separator = lower[index...].firstIndex(where: { $0 == "-" || $0 == "." || $0 == "_" }) {
            if names.contains(String(lower[..<separator])) { return true }
            index = lower.index(after: separator)
        }
        return false
    }

    private static let schemes: [(suffix: [UInt8], name: String)] = [
        (Array("+tcp://".utf8), "stratum+tcp"), (Array("+ssl://".utf8), "stratum+ssl"), (Array("+tls://".utf8), "stratum+tls"),
        (Array("2+tcp://".utf8), "stratum2+tcp"), (Array("2+ssl://".utf8), "stratum2+ssl"),
    ]

    /// The pool scheme when `stratum` at `position` starts a pool URL (`stratum+tcp://host`), else nil.
    static func poolScheme(in bytes: UnsafeRawBufferPointer, at position: Int) -> String? {
        let after = position + 7
        for scheme in schemes where after + scheme.suffix.count < bytes.count {
            var matches = true
            for (index, byte) in scheme.suffix.enumerated() where bytes[after + index] | (byte >= 0x61 ? 0x20 : 0) != byte {
                matches = false
                break
            }
            let hostStart = bytes[after + scheme.suffix.count]
            let hostLooksReal = (hostStart >= 0x30 && hostStart <= 0x39) || (hostStart | 0x20 >= 0x61 && hostStart | 0x20 <= 0x7a)
            if matches && hostLooksReal { return scheme.name }
        }
        return nil
    }
}
