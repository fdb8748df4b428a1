/// dpkg's database: `status` (or distroless's `status.d`), `info/*.md5sums`, conffiles, diversions and the
/// `path-exclude` filters of `dpkg.cfg.d`.
enum DpkgDatabase {
    static let statusPath = "var/lib/dpkg/status"
    static let statusFolder = "var/lib/dpkg/status.d"
    static let infoFolder = "var/lib/dpkg/info"

    /// Reads the database under `root`; nil when the root has no dpkg database.
    static func read(_ root: RootDirectory) -> PackageDatabaseContents? {
        var contents = PackageDatabaseContents()
        var found = false
        if let status = root.readSmallFile(statusPath) {
            found = true
            let paragraphs = ControlParagraphs.parse(String(decoding: status, as: UTF8.self))
            for paragraph in paragraphs where isInstalled(paragraph) {
                add(paragraph, md5sums: md5sumsFromInfo(root, paragraph), to: &contents)
            }
        }
        if let names = root.listFolder(statusFolder) {
            found = true
            for name in names where !name.hasSuffix(".md5sums") {
                guard let text = root.readSmallFile(statusFolder + "/" + name) else { continue }
                let md5sums = root.readSmallFile(statusFolder + "/" + name + ".md5sums")
                for paragraph in ControlParagraphs.parse(String(decoding: text, as: UTF8.self))
                where paragraph["Package"] != nil && (paragraph["Status"] == nil || isInstalled(paragraph)) {
                    add(paragraph, md5sums: md5sums ?? md5sumsFromInfo(root, paragraph), to: &contents)
                }
            }
        }
        guard found else { return nil }
        contents.diversions = diversions(root)
        contents.pathFilters = pathFilters(root)
        return contents
    }

    private static func isInstalled(_ paragraph: [String: String]) -> Bool {
        guard let status = paragraph["Status"] else { return false }
        return status.split(separator: " ").last == "installed"
    }

    private static func md5sumsFromInfo(_ root: RootDirectory, _ paragraph: [String: String]) -> [UInt8]? {
        guard let name = paragraph["Package"] else { return nil }
        if let architecture = paragraph["Architecture"], let bytes = root.readSmallFile("\(infoFolder)/\(name):\(architecture).md5sums") {
            return bytes
        }
        return root.readSmallFile("\(infoFolder)/\(name).md5sums")
    }

    private static func add(_ paragraph: [String: String], md5sums: [UInt8]?, to contents: inout PackageDatabaseContents) {
        guard let name = paragraph["Package"], let version = paragraph["Version"] else { return }
        var source = name
        var sourceVersion = version
        if let field = paragraph["Source"] {
            let parts = field.split(separator: " ", maxSplits: 1)
            source = String(parts[0])
            if parts.count == 2 { sourceVersion = parts[1].trimmingCharacters(in: "() ") }
        }
        contents.packages.append(InventoryPackage(ecosystem: .debian, name: name, version: version, source: source, sourceVersion: sourceVersion))
        if let md5sums { contents.files += parseMD5Sums(md5sums, package: name) }
        for line in (paragraph["Conffiles"] ?? "").split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, fields[0].hasPrefix("/"), !fields.dropFirst(2).contains("obsolete") else { continue }
            let digest = String(fields[1]).lowercased()
            guard digest.count == 32 else { continue }
            contents.files.append(
                PackageFileRecord(path: String(fields[0].dropFirst()), package: name, algorithm: .md5, digest: digest, isConfiguration: true)
            )
        }
    }

    /// `HEX  path` lines (path relative to the root, sometimes with a leading slash).
    static func parseMD5Sums(_ bytes: [UInt8], package: String) -> [PackageFileRecord] {
        var records: [PackageFileRecord] = []
        for line in bytes.split(separator: UInt8(ascii: "\n")) {
            guard line.count > 34, let space = line.firstIndex(of: UInt8(ascii: " ")), space - line.startIndex == 32 else { continue }
            var pathStart = space
            while pathStart < line.endIndex && (line[pathStart] == UInt8(ascii: " ") || line[pathStart] == UInt8(ascii: "*")) {
                pathStart += 1
            }
            while pathStart < line.endIndex && line[pathStart] == UInt8(ascii: "/") { pathStart += 1 }
            var pathEnd = line.endIndex
            if line[pathEnd - 1] == UInt8(ascii: "\r") { pathEnd -= 1 }
            guard pathStart < pathEnd else { continue }
            let digest = String(decoding: line[line.startIndex..<space], as: UTF8.self).lowercased()
            let path = String(decoding: line[pathStart..<pathEnd], as: UTF8.self)
            records.append(PackageFileRecord(path: path, package: package, algorithm: .md5, digest: digest, isConfiguration: false))
        }
        return records
    }

    /// `var/lib/dpkg/diversions`: groups of three lines (from, to, package; `:` for a local diversion).
    static func diversions(_ root: RootDirectory) -> [String: Diversion] {
        guard let bytes = root.readSmallFile("var/lib/dpkg/diversions") else { return [:] }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var result: [String: Diversion] = [:]
        var index = 0
        while index + 2 < lines.count {
            let from = lines[index].drop { $0 == "/" }
            let to = lines[index + 1].drop { $0 == "/" }
            let package = lines[index + 2]
            index += 3
            guard !from.isEmpty, !to.isEmpty else { continue }
            result[String(from)] = Diversion(from: String(from), to: String(to), package: package == ":" ? nil : String(package))
        }
        return result
    }

    /// The `path-exclude` and `path-include` lines of `etc/dpkg/dpkg.cfg` and `etc/dpkg/dpkg.cfg.d/*`, in order.
    static func pathFilters(_ root: RootDirectory) -> [PathFilter] {
        var files = ["etc/dpkg/dpkg.cfg"]
        files += (root.listFolder("etc/dpkg/dpkg.cfg.d") ?? []).map { "etc/dpkg/dpkg.cfg.d/" + $0 }
        var filters: [PathFilter] = []
        for file in files {
            guard let bytes = root.readSmallFile(file, limit: 1 << 20) else { continue }
            for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
                let trimmed = line.trimmingCharacters(in: " \t\r")
                for (option, excludes) in [("path-exclude", true), ("path-include", false)] where trimmed.hasPrefix(option) {
                    let pattern = trimmed.dropFirst(option.count).drop { $0 == "=" || $0 == " " || $0 == "\t" }
                    if !pattern.isEmpty { filters.append(PathFilter(pattern: String(pattern), excludes: excludes)) }
                }
            }
        }
        return filters
    }
}

extension StringProtocol {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        let start = firstIndex { !characters.contains($0) } ?? endIndex
        let end = lastIndex { !characters.contains($0) }.map { index(after: $0) } ?? start
        return start < end ? String(self[start..<end]) : ""
    }
}
