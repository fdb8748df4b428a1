import CScuteSys
import Glibc
import ScuteScan
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A compliance or inventory result the defender sends up (the console stores the latest of each kind).
package struct DefenderReport: Sendable, Equatable {
    package enum Kind: String, Sendable {
        case compliance
        case inventory
    }

    package var kind: Kind
    /// The report as JSON: `scute scan`'s or `scute inventory`'s shape, plus `release` for an inventory.
    package var json: [UInt8]
}

/// Scans the container the app runs in, from inside the defender, on a low-priority thread: the whole
/// root at start and then daily (checks 424, 425, 426 and 448, the console's custom checks, and the
/// inventory), and the folders an app can write to (where a dropped miner or key lands) every
/// `writableInterval` and soon after a launch of a program no package owns. New compliance settings from the
/// console (checks ignored, custom checks added or changed) start a full scan. A report goes out only when it
/// differs from the last one sent.
package final class ComplianceMonitor: @unchecked Sendable {
    package struct Settings: Sendable {
        /// The root to scan: `/` in a container.
        package var root = "/"
        package var fullInterval: Int64 = 24 * 3600 * 1_000_000_000
        package var writableInterval: Int64 = 60 * 1_000_000_000
        /// Folders rescanned for 425 and 426 between full scans.
        package var writablePaths = ["/tmp", "/var/tmp", "/dev/shm", "/home", "/root"]
        /// rpmdb.sqlite's reader; without one an rpm image's database is reported as unreadable.
        package var rpmHeaderSource: (any RpmHeaderSource)?

        package init() {}
    }

    private let settings: Settings
    private let environment: [EnvironmentVariable]
    private let send: @Sendable (DefenderReport) -> Void
    /// The console's compliance settings; every built-in check and no custom check without one.
    private let live: LiveCompliance?
    private let state = Mutex(State())
    /// The package files index for the "modified binary" finding, once the first full scan built it.
    package let index = Mutex<PackageFileIndex?>(nil)

    private struct State {
        var lastFull: ScanReport?
        var lastSent: [UInt8]?
        var lastInventory: [UInt8]?
        var nudgedAt: Int64?
    }

    /// `environment` is the app's, KEY=VALUE (for 424).
    package init(
        settings: Settings,
        environment: [String],
        compliance live: LiveCompliance? = nil,
        send: @escaping @Sendable (DefenderReport) -> Void
    ) {
        self.settings = settings
        self.live = live
        self.environment = environment.compactMap { entry in
            guard let eq = entry.firstIndex(of: "=") else { return nil }
            return EnvironmentVariable(name: String(entry[..<eq]), value: String(entry[entry.index(after: eq)...]))
        }
        self.send = send
    }

    /// Starts the scanning thread; false when no thread could be had (the app runs, unscanned, and the
    /// caller says so).
    package func start() -> Bool {
        PosixThread { [self] in
            // The app comes first: the scan gets what the CPU has to spare.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(scute_gettid()), 19)
            loop()
        }.tryStart()
    }

    /// An executable's path as seen inside the scanned root (the root is `/` in a container; another root
    /// is a folder of the host, as in tests); nil when the file is outside it.
    package func pathInRoot(_ path: String) -> String? {
        if settings.root == "/" { return path }
        guard path.hasPrefix(settings.root + "/") else { return nil }
        return String(path.dropFirst(settings.root.count))
    }

    /// A program no package owns was launched: rescan the writable folders soon (a dropped binary is
    /// reported even when it is never run again).
    package func nudge() {
        state.withLock { s in if s.nudgedAt == nil { s.nudgedAt = Sys.monotonic() } }
    }

    /// Launches make the writable folders rescanned at most this often (a shell loop launching programs
    /// must not keep the scan running).
    static let nudgeSpacing: Int64 = 10 * 1_000_000_000

    private func loop() {
        var nextFull = Sys.monotonic()
        var nextWritable = Int64.max
        var lastWritable: Int64?
        var generation = live?.current.generation ?? 0
        while true {
            let now = Sys.monotonic()
            let nudged = state.withLock { s in s.nudgedAt.map { now - $0 > 1_000_000_000 } ?? false }
            if let current = live?.current.generation, current != generation {
                generation = current
                nextFull = now
            }
            if now >= nextFull {
                fullScan()
                nextFull = Sys.monotonic() + settings.fullInterval
                nextWritable = Sys.monotonic() + settings.writableInterval
            } else if now >= nextWritable || (nudged && lastWritable.map { now - $0 > Self.nudgeSpacing } ?? true) {
                state.withLock { $0.nudgedAt = nil }
                writableScan()
                lastWritable = Sys.monotonic()
                nextWritable = Sys.monotonic() + settings.writableInterval
            }
            usleep(250_000)
        }
    }

    private func fullScan() {
        let compliance = live?.current.settings ?? .builtIn
        let options = ScanOptions(checks: compliance.checks, environment: environment, rpmHeaderSource: settings.rpmHeaderSource)
        guard let result = try? ImageScanner(root: settings.root, options: options).scanWithInventory() else { return }
        var (report, inventory) = result
        // Custom checks run in the container itself (as the app would see it), one after another.
        report.findings += compliance.customChecks.compactMap { $0.run() }
        report.sort()
        // The index first: once a report is out, launches of package binaries are judged.
        if let built = try? PackageFileIndex(root: settings.root, rpmHeaderSource: settings.rpmHeaderSource) {
            index.withLock { $0 = built }
        }
        state.withLock { $0.lastFull = report }
        emit(report)
        if var json = try? inventory.jsonData(pretty: false).map({ $0 }) {
            if let release = OSRelease.osvEcosystem(root: settings.root) {
                // {"packages": [...]} gains "release" for the console's matcher: the same object, one more key.
                json.removeLast()
                json += Array(#","release":"\#(release)"}"#.utf8)
            }
            let changed = state.withLock { s -> Bool in
                defer { s.lastInventory = json }
                return s.lastInventory != json
            }
            if changed { send(DefenderReport(kind: .inventory, json: json)) }
        }
    }

    /// 425 and 426 in the writable folders, merged into the last full report.
    private func writableScan() {
        guard var merged = state.withLock({ $0.lastFull }) else { return }
        let folders = settings.writablePaths.map { settings.root == "/" ? $0 : settings.root + $0 }
        let enabled = (live?.current.settings ?? .builtIn).checks.intersection([.privateKeys, .cryptoMiners])
        let rescanned = Set(enabled.map(\.rawValue))
        merged.findings.removeAll { f in
            rescanned.contains(f.check) && settings.writablePaths.contains { p in f.path?.hasPrefix(p + "/") == true }
        }
        for (folder, inside) in zip(folders, settings.writablePaths) {
            var st = stat()
            guard lstat(folder, &st) == 0, st.st_mode & S_IFMT == S_IFDIR else { continue }
            guard !enabled.isEmpty else { continue }
            let options = ScanOptions(checks: enabled)
            guard let report = try? ImageScanner(root: folder, options: options).scan() else { continue }
            for var finding in report.findings {
                finding.path = finding.path.map { inside + $0 }
                merged.findings.append(finding)
            }
        }
        merged.sort()
        emit(merged)
    }

    private func emit(_ report: ScanReport) {
        guard let json = try? report.jsonData(pretty: false).map({ $0 }) else { return }
        let changed = state.withLock { s -> Bool in
            defer { s.lastSent = json }
            return s.lastSent != json
        }
        if changed { send(DefenderReport(kind: .compliance, json: json)) }
    }
}
