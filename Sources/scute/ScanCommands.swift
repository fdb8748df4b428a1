import ArgumentParser
import ScuteScan
import ScuteScanSQLite
import ScuteVulns
import ScuteVulnsZip

#if canImport(Glibc)
import Glibc
#endif

/// How a report is printed.
enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
    case table
    case json
}

struct ScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract:
            "Compliance scan of a root filesystem: secrets in the environment (424), private keys (425), crypto miners (426), altered package files (448).",
        discussion: "Exit status: 0 when nothing failed, 1 when something did, 2 when the scan could not run."
    )

    @Option(help: "The root filesystem to scan (a container's /, or an unpacked image).")
    var root: String

    @Option(name: .customLong("env-file"), help: "The container's environment as KEY=VALUE lines, for 424.")
    var envFile: String?

    @Option(name: .customLong("env-pid"), help: "Read the environment of this process (/proc/PID/environ), for 424.")
    var envPID: Int32?

    @Option(help: "Checks to run, comma-separated (default: 424,425,426,448).")
    var checks: String?

    @Flag(name: .customLong("conffiles"), help: "Also report edited package configuration files (448).")
    var conffiles = false

    @Option(help: "Output: table (for people) or json.")
    var format: ReportFormat = .table

    func run() throws {
        guard envFile == nil || envPID == nil else { throw ValidationError("--env-file and --env-pid exclude each other") }
        var options = ScanOptions(verifyConfigurationFiles: conffiles, rpmHeaderSource: SystemRpmHeaderSource())
        let report: ScanReport
        do {
            if let checks { options.checks = try ScanOptions.parseChecks(checks) }
            if let envFile {
                let text: String
                do {
                    text = try FileIO.readText(envFile)
                } catch {
                    throw ScanError.unsupported("--env-file: \(error.message)")
                }
                options.environment = EnvironmentVariable.parseEnvFile(text)
            } else if let envPID {
                options.environment = try EnvironmentVariable.read(pid: envPID)
            }
            report = try ImageScanner(root: root, options: options).scan()
        } catch {
            FileIO.printError("error: \(error)")
            throw ExitCode(2)
        }
        switch format {
        case .json: print(String(decoding: try report.jsonData(), as: UTF8.self))
        case .table: print(report.table(), terminator: "")
        }
        throw ExitCode(report.exitCode)
    }
}

struct InventoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "What is installed in a root filesystem: OS packages (dpkg, apk, rpm) and language packages (PyPI, npm, Go, Maven, RubyGems)."
    )

    @Option(help: "The root filesystem to inventory.")
    var root: String

    @Option(help: "Output: table (for people) or json.")
    var format: ReportFormat = .table

    func run() throws {
        let inventory: InventoryReport
        do {
            inventory = try ImageScanner(root: root, options: ScanOptions(checks: [], rpmHeaderSource: SystemRpmHeaderSource())).inventory()
        } catch {
            FileIO.printError("error: \(error)")
            throw ExitCode(2)
        }
        switch format {
        case .json: print(String(decoding: try inventory.jsonData(), as: UTF8.self))
        case .table: print(inventory.table(), terminator: "")
        }
    }
}

struct VulnsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vulns",
        abstract: "Known vulnerabilities of what is installed in a root filesystem, from OSV advisories (a folder of OSV JSON files or a zip).",
        discussion: "Exit status: 0 when nothing matched, 1 when a vulnerability did, 2 when the scan could not run."
    )

    @Option(help: "The root filesystem to inventory.")
    var root: String

    @Option(help: "OSV advisories: a folder of JSON files (searched recursively) or a zip as OSV publishes them.")
    var advisories: String

    @Option(help: "The distribution release for OS packages, as OSV names it (default: from the root's os-release, e.g. Debian:12).")
    var release: String?

    @Option(help: "Output: table (for people) or json.")
    var format: ReportFormat = .table

    func run() throws {
        let packages: [InstalledPackage]
        let load: AdvisoryLoad
        do {
            let inventory = try ImageScanner(root: root, options: ScanOptions(checks: [], rpmHeaderSource: SystemRpmHeaderSource())).inventory()
            packages = inventory.packages.map {
                InstalledPackage(
                    ecosystem: $0.ecosystem,
                    name: $0.name,
                    version: $0.version,
                    source: $0.source,
                    sourceVersion: $0.sourceVersion,
                    path: $0.path
                )
            }
            load =
                ZipAdvisoryArchive.isZip(path: advisories)
                ? try ZipAdvisoryArchive.load(path: advisories) : try AdvisoryLoader.load(folder: advisories)
        } catch {
            FileIO.printError("error: \(error)")
            throw ExitCode(2)
        }
        for problem in load.problems.prefix(20) { FileIO.printError("warning: \(problem)") }
        if load.problems.count > 20 { FileIO.printError("warning: \(load.problems.count - 20) more advisory files could not be read") }
        let result = VulnerabilityMatcher(advisories: load.advisories, for: packages).match(
            packages,
            release: release ?? OSRelease.osvEcosystem(root: root)
        )
        switch format {
        case .json: print(try VulnerabilityReport(vulnerabilities: result.matches).json())
        case .table: print(VulnerabilityTable.render(result.matches), terminator: "")
        }
        throw ExitCode(result.matches.isEmpty ? 0 : 1)
    }
}
