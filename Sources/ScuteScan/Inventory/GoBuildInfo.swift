/// The build information Go (1.18+) embeds in binaries: `\xff Go buildinf:`, pointer size, flags, then (with
/// flag 2) the Go version and the module information as length-prefixed strings.
enum GoBuildInfo {
    static let headerSize = 32

    /// The modules of the binary whose build information starts at `bytes[0]`: the main module, its
    /// dependencies (replacements applied) and the standard library as `stdlib`.
    static func modules(_ bytes: [UInt8], path: String) -> [InventoryPackage] {
        guard bytes.count > headerSize, bytes[15] & 2 != 0 else { return [] }
        var position = headerSize
        guard let goVersion = readString(bytes, &position), let info = readString(bytes, &position) else { return [] }
        var packages: [InventoryPackage] = []
        if goVersion.hasPrefix("go") {
            let version = goVersion.dropFirst(2).prefix { $0 != " " }
            packages.append(InventoryPackage(ecosystem: .go, name: "stdlib", version: String(version), path: path))
        }
        var text = Substring(info)
        // The module information is wrapped in 16-byte sentinels.
        if text.utf8.count >= 33 {
            text = Substring(String(decoding: Array(info.utf8).dropFirst(16).dropLast(16), as: UTF8.self))
        }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count >= 3 else { continue }
            switch fields[0] {
            case "mod", "dep":
                packages.append(InventoryPackage(ecosystem: .go, name: String(fields[1]), version: String(fields[2]), path: path))
            case "=>":
                // Replaces the module listed on the previous line.
                if let last = packages.popLast() {
                    packages.append(InventoryPackage(ecosystem: .go, name: String(fields[1]), version: String(fields[2]), path: last.path))
                }
            default:
                continue
            }
        }
        return packages
    }

    private static func readString(_ bytes: [UInt8], _ position: inout Int) -> String? {
        var length = 0
        var shift = 0
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            length |= Int(byte & 0x7f) << shift
            if byte & 0x80 == 0 { break }
            shift += 7
            if shift > 35 { return nil }
        }
        guard length >= 0, position + length <= bytes.count else { return nil }
        defer { position += length }
        return String(decoding: bytes[position..<(position + length)], as: UTF8.self)
    }
}
