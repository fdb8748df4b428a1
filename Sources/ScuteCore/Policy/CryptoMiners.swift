/// Recognises crypto-mining programs by name and by mining-pool URLs in their arguments.
public enum CryptoMiners {
    /// Executable names of well-known miners (compared case-insensitively, on the base name).
    public static let knownNames: Set<String> = [
        "xmrig", "xmrig-notls", "xmrig-cuda", "xmr-stak", "xmr-stak-cpu", "xmr-stak-rx", "minerd", "cpuminer",
        "cpuminer-multi", "cpuminer-opt", "cgminer", "bfgminer", "sgminer", "ccminer", "ethminer", "nbminer",
        "t-rex", "phoenixminer", "lolminer", "nanominer", "teamredminer", "gminer", "srbminer", "srbminer-multi",
        "xmrminer", "kdevtmpfsi", "kinsing", "nheqminer", "ethdcrminer64", "claymore", "excavator", "z-enemy",
    ]

    /// URL schemes of the stratum mining protocol.
    static let stratumMarkers = ["stratum+tcp://", "stratum+ssl://", "stratum+tls://", "stratum2+tcp://", "stratum2+ssl://"]

    /// Why a launch looks like a miner, or nil.
    public static func detect(paths: [String], arguments: [String]) -> String? {
        for p in paths {
            let base = Wildcard.asciiLowercased(ProcessLaunch.baseName(p))
            if knownNames.contains(base) { return "known crypto miner \(base)" }
        }
        for a in arguments {
            let lower = Wildcard.asciiLowercased(a)
            for m in stratumMarkers where lower.contains(m) { return "mining pool URL in arguments (\(m))" }
        }
        return nil
    }
}
