/// The distribution release of a root, as OSV names it (`Debian:12`, `Alpine:v3.19`), from its
/// os-release file: the advisories of that release are the ones that apply to its OS packages.
package enum OSRelease {
    /// Reads `etc/os-release` (else `usr/lib/os-release`) under `root`; nil when neither says.
    package static func osvEcosystem(root: String) -> String? {
        guard let directory = try? RootDirectory(path: root) else { return nil }
        for path in ["etc/os-release", "usr/lib/os-release"] {
            // Resolved inside the root (os-release is often a link to ../usr/lib/os-release).
            guard case .resolved(let relative) = directory.resolve(path), let bytes = directory.readSmallFile(relative, limit: 64 << 10) else {
                continue
            }
            if let release = osvEcosystem(osRelease: String(decoding: bytes, as: UTF8.self)) { return release }
        }
        return nil
    }

    /// The OSV ecosystem for os-release text: ID and VERSION_ID (Debian's major, Alpine's major.minor).
    package static func osvEcosystem(osRelease text: String) -> String? {
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = line[line.index(after: eq)...]
            if value.first == "\"" || value.first == "'" { value = value.dropFirst().dropLast() }
            fields[String(line[..<eq])] = String(value)
        }
        guard let id = fields["ID"], let version = fields["VERSION_ID"], !version.isEmpty else { return nil }
        switch id {
        case "debian": return "Debian:" + (version.split(separator: ".").first.map(String.init) ?? version)
        case "alpine": return "Alpine:v" + version.split(separator: ".").prefix(2).joined(separator: ".")
        case "ubuntu": return "Ubuntu:" + version
        default: return nil
        }
    }
}
