import Foundation

/// The severity reported for a match: one word (`LOW`, `MEDIUM`, `HIGH`, `CRITICAL`, or a distribution's own
/// priority), taken from the most precise source the record offers.
///
/// Order: a CVSS v3 vector (base score computed, rated as CVSS v3 rates it); the database's own word
/// (`database_specific.severity`, `MODERATE` read as `MEDIUM`); a CVSS v2 vector (NVD's v2 bands); an Ubuntu
/// priority. Entry-level values win over record-level ones. A CVSS v4 vector alone is reported as the vector,
/// since its score needs FIRST's lookup tables, which Scute does not carry.
enum SeverityRating {
    static func rating(entry: OSVAffected, advisory: OSVAdvisory) -> String? {
        rating(entry.severity, entry.databaseSeverity) ?? rating(advisory.severity, advisory.databaseSeverity)
    }

    static func rating(_ severities: [OSVSeverity], _ databaseSeverity: String?) -> String? {
        if let v3 = severities.first(where: { $0.type == "CVSS_V3" }), let score = cvss3BaseScore(v3.score) {
            return cvss3Rating(score)
        }
        if let word = databaseSeverity?.trimmingCharacters(in: .whitespaces).uppercased(), !word.isEmpty {
            return word == "MODERATE" ? "MEDIUM" : word
        }
        if let v2 = severities.first(where: { $0.type == "CVSS_V2" }), let score = cvss2BaseScore(v2.score) {
            return score < 4 ? "LOW" : (score < 7 ? "MEDIUM" : "HIGH")
        }
        if let ubuntu = severities.first(where: { $0.type == "Ubuntu" }), !ubuntu.score.isEmpty {
            return ubuntu.score.uppercased()
        }
        return severities.first { $0.type == "CVSS_V4" }?.score
    }

    static func cvss3Rating(_ score: Double) -> String {
        switch score {
        case ..<0.1: "NONE"
        case ..<4: "LOW"
        case ..<7: "MEDIUM"
        case ..<9: "HIGH"
        default: "CRITICAL"
        }
    }

    /// The metrics of a vector `CVSS:3.1/AV:N/AC:L/...` (or v2's `AV:N/AC:L/Au:N/...`), by name.
    private static func metrics(_ vector: String) -> [Substring: Substring] {
        var result: [Substring: Substring] = [:]
        for part in vector.split(separator: "/") {
            let pair = part.split(separator: ":", maxSplits: 1)
            if pair.count == 2 { result[pair[0]] = pair[1] }
        }
        return result
    }

    /// The CVSS v3.0/v3.1 base score, or nil when a base metric is missing or unknown.
    static func cvss3BaseScore(_ vector: String) -> Double? {
        let m = metrics(vector)
        guard m["CVSS"]?.hasPrefix("3") == true else { return nil }
        let changed = m["S"] == "C"
        guard m["S"] == "U" || changed,
            let av = ["N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2][m["AV"] ?? ""],
            let ac = ["L": 0.77, "H": 0.44][m["AC"] ?? ""],
            let pr = (changed ? ["N": 0.85, "L": 0.68, "H": 0.5] : ["N": 0.85, "L": 0.62, "H": 0.27])[m["PR"] ?? ""],
            let ui = ["N": 0.85, "R": 0.62][m["UI"] ?? ""],
            let c = ["H": 0.56, "L": 0.22, "N": 0.0][m["C"] ?? ""],
            let i = ["H": 0.56, "L": 0.22, "N": 0.0][m["I"] ?? ""],
            let a = ["H": 0.56, "L": 0.22, "N": 0.0][m["A"] ?? ""]
        else { return nil }
        let iss = 1 - (1 - c) * (1 - i) * (1 - a)
        let impact = changed ? 7.52 * (iss - 0.029) - 3.25 * pow(iss - 0.02, 15) : 6.42 * iss
        guard impact > 0 else { return 0 }
        let exploitability = 8.22 * av * ac * pr * ui
        return roundUp(min((changed ? 1.08 : 1) * (impact + exploitability), 10))
    }

    /// CVSS v3.1's Roundup: the smallest one-decimal number not below `value`, robust to floating-point noise.
    private static func roundUp(_ value: Double) -> Double {
        let scaled = Int((value * 100_000).rounded())
        if scaled % 10_000 == 0 { return Double(scaled) / 100_000 }
        return (Double(scaled / 10_000) + 1) / 10
    }

    /// The CVSS v2 base score, or nil when a base metric is missing or unknown.
    static func cvss2BaseScore(_ vector: String) -> Double? {
        let m = metrics(vector)
        guard let av = ["L": 0.395, "A": 0.646, "N": 1.0][m["AV"] ?? ""],
            let ac = ["H": 0.35, "M": 0.61, "L": 0.71][m["AC"] ?? ""],
            let au = ["M": 0.45, "S": 0.56, "N": 0.704][m["Au"] ?? ""],
            let c = ["N": 0.0, "P": 0.275, "C": 0.660][m["C"] ?? ""],
            let i = ["N": 0.0, "P": 0.275, "C": 0.660][m["I"] ?? ""],
            let a = ["N": 0.0, "P": 0.275, "C": 0.660][m["A"] ?? ""]
        else { return nil }
        let impact = 10.41 * (1 - (1 - c) * (1 - i) * (1 - a))
        let exploitability = 20 * av * ac * au
        let score = (0.6 * impact + 0.4 * exploitability - 1.5) * (impact == 0 ? 0 : 1.176)
        return (score * 10).rounded() / 10
    }
}
