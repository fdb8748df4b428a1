import Dispatch
import Synchronization

/// Scans a root folder (an image's file system, or `/` of a running container) in one walk: compliance checks
/// 424, 425, 426, 448 and the package inventory.
package struct ImageScanner: Sendable {
    package let root: String
    package let options: ScanOptions

    package init(root: String, options: ScanOptions = ScanOptions()) {
        self.root = root
        self.options = options
    }

    /// The compliance report; throws only when the root cannot be opened.
    package func scan() throws(ScanError) -> ScanReport {
        try run(inventory: false).report
    }

    /// The inventory of OS and language packages; throws only when the root cannot be opened.
    package func inventory() throws(ScanError) -> InventoryReport {
        var options = options
        options.checks = []
        return try ImageScanner(root: root, options: options).run(inventory: true).inventory
    }

    /// Both, from one walk of the root.
    package func scanWithInventory() throws(ScanError) -> (report: ScanReport, inventory: InventoryReport) {
        let result = try run(inventory: true)
        return (result.report, result.inventory)
    }

    private func run(inventory wantInventory: Bool) throws(ScanError) -> (report: ScanReport, inventory: InventoryReport) {
        let directory = try RootDirectory(path: root)
        var report = ScanReport(root: root)
        var inventory = InventoryReport()
        let checks = options.checks

        let needPackages = wantInventory || checks.contains(.alteredPackageFiles) || checks.contains(.privateKeys)
        let contents = needPackages ? PackageDatabases.read(directory, rpmHeaderSource: options.rpmHeaderSource) : PackageDatabaseContents()
        report.errors += contents.issues
        let located = PackageDatabases.locate(contents, in: directory)

        let walk = FileTreeWalker().walk(directory)
        report.errors += walk.problems

        var plan = ContentPlan(options: options, inventory: wantInventory, located: located)
        let results = inspectContents(walk.files, plan: &plan, root: directory)
        var goBinaries: [(WalkedFile, Int)] = []
        for (index, facts) in results.enumerated() {
            let file = walk.files[index]
            if let problem = facts.problem {
                report.errors.append(ScanIssue(path: "/" + file.path, message: describe(problem)))
                continue
            }
            report.findings += FileFindings.evaluate(file, facts: facts, located: located.byPath[file.path], checks: checks, root: directory)
            if let offset = facts.goBuildInfoOffset { goBinaries.append((file, offset)) }
        }
        if checks.contains(.alteredPackageFiles) {
            let integrity = PackageIntegrity(
                root: directory,
                contents: contents,
                located: located,
                verifyConfigurationFiles: options.verifyConfigurationFiles
            )
            report.findings += integrity.missingAndRedirected(walkedPaths: Set(walk.files.lazy.map(\.path)))
            report.findings += integrity.localDiversions()
        }
        for link in walk.symlinks {
            if case .loop = directory.resolve(link) {
                report.errors.append(ScanIssue(path: "/" + link, message: "symbolic link loop (or more than 40 links in a chain)"))
            }
        }
        if checks.contains(.secretEnvironment), let environment = options.environment {
            report.findings += SecretEnvironmentCheck.findings(environment)
        }
        if wantInventory {
            inventory.packages = contents.packages
            var issues = contents.issues
            inventory.packages += LanguageInventory.packages(in: walk.files, root: directory, goBinaries: goBinaries, issues: &issues)
            inventory = InventoryReport(packages: inventory.packages, errors: issues)
            inventory.sort()
        }
        report.sort()
        return (report, inventory)
    }

    /// Reads every file that some check or the inventory needs, once, on `options.threads` threads.
    private func inspectContents(_ files: [WalkedFile], plan: inout ContentPlan, root: RootDirectory) -> [ContentFacts] {
        let results = Mutex([ContentFacts](repeating: ContentFacts(), count: files.count))
        let next = Atomic<Int>(0)
        let threads = max(1, options.threads)
        let frozenPlan = plan
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let inspector = ContentInspector()
            var local: [(Int, ContentFacts)] = []
            while true {
                let start = next.wrappingAdd(16, ordering: .relaxed).oldValue
                if start >= files.count { break }
                for index in start..<min(start + 16, files.count) {
                    local.append((index, frozenPlan.inspect(files[index], with: inspector, root: root)))
                }
            }
            results.withLock { all in
                for (index, facts) in local { all[index] = facts }
            }
        }
        return results.withLock { $0 }
    }

    private func describe(_ problem: FileProblem) -> String {
        switch problem {
        case .missing: return "vanished during the scan"
        case .notRegular: return "no longer a regular file"
        case .unreadable(let reason): return "cannot read: \(reason)"
        case .tooLarge(let size): return "not read: \(size) bytes is over the \(options.maximumFileSize)-byte limit"
        }
    }
}
