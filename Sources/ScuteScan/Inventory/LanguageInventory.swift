#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Language packages found among the walked files: Python, Node, Ruby, Java archives and Go binaries.
enum LanguageInventory {
    static let metadataLimit = 4 << 20
    static let archiveLimit = 256 << 20

    static func packages(
        in files: [WalkedFile],
        root: RootDirectory,
        goBinaries: [(WalkedFile, Int)],
        issues: inout [ScanIssue]
    )
        -> [InventoryPackage]
    {
        var packages: [InventoryPackage] = []
        for file in files {
            let path = file.path
            let display = "/" + path
            if path.hasSuffix(".dist-info/METADATA") || path.hasSuffix(".egg-info/PKG-INFO") || path.hasSuffix(".egg-info") {
                if let bytes = root.readSmallFile(path, limit: metadataLimit), let package = python(bytes, path: display) { packages.append(package) }
            } else if path.hasSuffix("/package.json") && isNodeModulePackage(path) {
                if let bytes = root.readSmallFile(path, limit: metadataLimit), let package = node(bytes, path: display) { packages.append(package) }
            } else if path.hasSuffix(".gemspec") && path.contains("/specifications/") {
                if let bytes = root.readSmallFile(path, limit: metadataLimit), let package = ruby(bytes, fileName: String(file.name), path: display) {
                    packages.append(package)
                }
            } else if [".jar", ".war", ".ear"].contains(where: { path.hasSuffix($0) }) {
                guard let bytes = root.readSmallFile(path, limit: archiveLimit) else {
                    issues.append(ScanIssue(path: display, message: "Java archive not read (unreadable or over \(archiveLimit) bytes)"))
                    continue
                }
                packages += JavaArchive.packages(bytes, path: display)
            }
        }
        for (file, offset) in goBinaries {
            guard case .success(let opened) = root.openRegularFile(file.path) else { continue }
            defer { opened.close() }
            packages += GoBuildInfo.modules(opened.read(at: offset, count: 1 << 20), path: "/" + file.path)
        }
        return packages
    }

    /// `.../node_modules/NAME/package.json` or `.../node_modules/@SCOPE/NAME/package.json`.
    static func isNodeModulePackage(_ path: String) -> Bool {
        let parts = path.split(separator: "/")
        guard parts.count >= 3 else { return false }
        if parts[parts.count - 3] == "node_modules" { return true }
        return parts.count >= 4 && parts[parts.count - 4] == "node_modules" && parts[parts.count - 3].hasPrefix("@")
    }

    /// `Name:` and `Version:` from the headers of a METADATA / PKG-INFO file.
    static func python(_ bytes: [UInt8], path: String) -> InventoryPackage? {
        var name: String?
        var version: String?
        for line in String(decoding: bytes.prefix(64 << 10), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line
            if trimmed.isEmpty { break }
            if trimmed.hasPrefix("Name:") { name = trimmed.dropFirst(5).trimmingCharacters(in: " \t") }
            if trimmed.hasPrefix("Version:") { version = trimmed.dropFirst(8).trimmingCharacters(in: " \t") }
        }
        guard let name, let version, !name.isEmpty, !version.isEmpty else { return nil }
        return InventoryPackage(ecosystem: .pypi, name: name, version: version, path: path)
    }

    private struct NodeManifest: Decodable {
        let name: String?
        let version: String?
    }

    static func node(_ bytes: [UInt8], path: String) -> InventoryPackage? {
        guard let manifest = try? JSONDecoder().decode(NodeManifest.self, from: Data(bytes)), let name = manifest.name,
            let version = manifest.version, !name.isEmpty, !version.isEmpty
        else { return nil }
        return InventoryPackage(ecosystem: .npm, name: name, version: version, path: path)
    }

    /// `s.name = "rake"` and `s.version = "13.0.6"` from a gem specification, else the file name `rake-13.0.6.gemspec`.
    static func ruby(_ bytes: [UInt8], fileName: String, path: String) -> InventoryPackage? {
        var name: String?
        var version: String?
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") {
            let trimmed = line.trimmingCharacters(in: " \t\r")
            if name == nil, trimmed.contains(".name = ") { name = quoted(trimmed) }
            if version == nil, trimmed.contains(".version = ") { version = quoted(trimmed) }
        }
        if name == nil || version == nil {
            let base = fileName.dropLast(".gemspec".count)
            let parts = base.split(separator: "-")
            if let index = parts.firstIndex(where: { $0.first?.isNumber == true }), index > 0 {
                name = name ?? parts[..<index].joined(separator: "-")
                version = version ?? String(parts[index])
            }
        }
        guard let name, let version else { return nil }
        return InventoryPackage(ecosystem: .rubyGems, name: name, version: version, path: path)
    }

    private static func quoted(_ line: String) -> String? {
        guard let open = line.firstIndex(where: { $0 == "\"" || $0 == "'" }) else { return nil }
        let quote = line[open]
        let rest = line[line.index(after: open)...]
        guard let close = rest.firstIndex(of: quote) else { return nil }
        return String(rest[..<close])
    }
}

/// Maven coordinates inside Java archives: `META-INF/maven/GROUP/ARTIFACT/pom.properties`, in nested archives too.
enum JavaArchive {
    static let maximumDepth = 3

    static func packages(_ bytes: [UInt8], path: String, depth: Int = 0) -> [InventoryPackage] {
        guard let archive = ZipArchive(bytes) else { return [] }
        var packages: [InventoryPackage] = []
        for entry in archive.entries {
            if entry.name.hasPrefix("META-INF/maven/") && entry.name.hasSuffix("/pom.properties") {
                guard let content = archive.contents(of: entry, limit: 1 << 20) else { continue }
                let properties = parseProperties(content)
                guard let group = properties["groupId"], let artifact = properties["artifactId"], let version = properties["version"] else {
                    continue
                }
                packages.append(InventoryPackage(ecosystem: .maven, name: "\(group):\(artifact)", version: version, path: path))
            } else if depth < maximumDepth, [".jar", ".war", ".ear"].contains(where: { entry.name.hasSuffix($0) }) {
                guard let nested = archive.contents(of: entry) else { continue }
                packages += Self.packages(nested, path: path + "!/" + entry.name, depth: depth + 1)
            }
        }
        return packages
    }

    /// `key=value` lines (also `key: value`), `#` and `!` comments skipped.
    static func parseProperties(_ bytes: [UInt8]) -> [String: String] {
        var properties: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            let trimmed = line.trimmingCharacters(in: " \t")
            guard !trimmed.hasPrefix("#"), !trimmed.hasPrefix("!"), let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" })
            else { continue }
            properties[trimmed[..<separator].trimmingCharacters(in: " \t")] = trimmed[trimmed.index(after: separator)...].trimmingCharacters(
                in: " \t"
            )
        }
        return properties
    }
}
