// vulns-bench: loads a folder of OSV records, reads an inventory and matches it, timing each step.
// Stand-in for `scute vulns` until the CLI exists (bench/vulnerabilities/run.sh builds it).
//
//   vulns-bench --advisories DIR (--inventory FILE.json | --root DIR) [--release Debian:12] [--format summary|table|json]
//
// --root takes the inventory of DIR with ScuteScan, as `scute vulns` does (OS and language packages).
import Foundation
import ScuteScan
import ScuteVulns

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("vulns-bench: \(message)\n".utf8))
    exit(2)
}

var options: [String: String] = [:]
var arguments = CommandLine.arguments.dropFirst()
while let flag = arguments.popFirst() {
    guard flag.hasPrefix("--"), let value = arguments.popFirst() else { fail("usage: --advisories DIR (--inventory FILE | --root DIR)") }
    options[String(flag.dropFirst(2))] = value
}
guard let advisoryFolder = options["advisories"] else { fail("--advisories DIR is required") }

/// The inventory of a root, as `scute inventory` takes it.
func dpkgInventory(root: String) throws -> [InstalledPackage] {
    let inventory = try ImageScanner(root: root, options: ScanOptions(checks: [])).inventory()
    return inventory.packages.map {
        InstalledPackage(
            ecosystem: $0.ecosystem,
            name: $0.name,
            version: $0.version,
            source: $0.source,
            sourceVersion: $0.sourceVersion,
            path: $0.path
        )
    }
}

struct InventoryFile: Decodable {
    var packages: [InstalledPackage]
}

let clock = ContinuousClock()
let start = clock.now
let load: AdvisoryLoad
do {
    load = try AdvisoryLoader.load(folder: advisoryFolder)
} catch {
    fail("\(error)")
}
let loaded = clock.now
let inventory: [InstalledPackage]
do {
    if let root = options["root"] {
        inventory = try dpkgInventory(root: root)
    } else if let file = options["inventory"] {
        let data = try Data(contentsOf: URL(fileURLWithPath: file))
        if let file = try? JSONDecoder().decode(InventoryFile.self, from: data) {
            inventory = file.packages
        } else {
            inventory = try JSONDecoder().decode([InstalledPackage].self, from: data)
        }
    } else {
        fail("--inventory FILE or --root DIR is required")
    }
} catch {
    fail("cannot read the inventory: \(error)")
}
let inventoried = clock.now
let matcher = VulnerabilityMatcher(advisories: load.advisories, for: inventory)
let indexed = clock.now
let result = matcher.match(inventory, release: options["release"])
let matched = clock.now

func milliseconds(_ duration: Duration) -> String {
    String(format: "%.1f ms", Double(duration.components.attoseconds) / 1e15 + Double(duration.components.seconds) * 1000)
}

switch options["format"] ?? "summary" {
case "json":
    print(try result.report.json(), terminator: "")
case "table":
    print(VulnerabilityTable.render(result.matches), terminator: "")
default:
    let unfixed = result.matches.filter { $0.state == .unfixed }.count
    print("documents \(load.documents), advisories \(load.advisories.count), problems \(load.problems.count)")
    print(
        "packages \(inventory.count), matches \(result.matches.count) (\(unfixed) unfixed), skipped \(result.skipped.count), unreadable ranges \(result.unreadableRanges.count)"
    )
}
let report = """
    load+parse \(milliseconds(loaded - start)), inventory \(milliseconds(inventoried - loaded)), \
    index \(milliseconds(indexed - inventoried)), match \(milliseconds(matched - indexed)), total \(milliseconds(matched - start))

    """
FileHandle.standardError.write(Data(report.utf8))
for problem in load.problems.prefix(5) { FileHandle.standardError.write(Data("problem: \(problem)\n".utf8)) }
