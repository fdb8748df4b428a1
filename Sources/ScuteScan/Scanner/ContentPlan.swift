/// Decides, per file, what its bytes are read for, and finishes what the first read found (key blocks,
/// digests of key files owned by packages).
struct ContentPlan: Sendable {
    let options: ScanOptions
    let inventory: Bool
    let located: LocatedPackageFiles
    /// How far after a `PRIVATE KEY` marker a key block may end (a 4096-bit RSA PGP key with subkeys is ~7 KB).
    static let keyWindow = 48 << 10
    static let documentationFolders = ["usr/share/doc/", "usr/share/man/", "usr/share/info/", "usr/share/locale/"]

    init(options: ScanOptions, inventory: Bool, located: LocatedPackageFiles) {
        self.options = options
        self.inventory = inventory
        self.located = located
    }

    func interest(for file: WalkedFile) -> ContentInterest {
        var interest = ContentInterest()
        let record = located.byPath[file.path]?.record
        if options.checks.contains(.alteredPackageFiles), let record, !record.isConfiguration || options.verifyConfigurationFiles,
            options.verifyDocumentation || !Self.documentationFolders.contains(where: file.path.hasPrefix)
        {
            interest.digest = record.algorithm
        }
        interest.privateKeys = options.checks.contains(.privateKeys)
        if options.checks.contains(.cryptoMiners) {
            interest.minerPools = true
        }
        interest.goBuildInfo = inventory && file.isExecutable
        return interest
    }

    func inspect(_ file: WalkedFile, with inspector: ContentInspector, root: RootDirectory) -> ContentFacts {
        var facts = ContentFacts()
        let interest = interest(for: file)
        if interest.isEmpty { return facts }
        if file.size > options.maximumFileSize {
            facts.problem = .tooLarge(file.size)
            return facts
        }
        let opened: OpenedFile
        switch root.openRegularFile(file.path) {
        case .success(let handle): opened = handle
        case .failure(let problem):
            facts.problem = problem
            return facts
        }
        defer { opened.close() }
        facts = inspector.inspect(opened, interest: interest)
        for marker in facts.keyMarkers {
            let start = max(0, marker - 64)
            let window = opened.read(at: start, count: marker - start + Self.keyWindow)
            if let label = PrivateKeyFormats.privateKeyBlock(in: window, marker: marker - start), !facts.keyBlocks.contains(label) {
                facts.keyBlocks.append(label)
            }
        }
        let holdsKey = !facts.keyBlocks.isEmpty || facts.keyFileFormat != nil
        if holdsKey, facts.digest == nil, let record = located.byPath[file.path]?.record {
            // Key material in a package-owned file is expected only when the file is as the package shipped it.
            facts.digest = inspector.inspect(opened, interest: ContentInterest(digest: record.algorithm)).digest
        }
        return facts
    }
}

/// The findings one file's facts give.
enum FileFindings {
    static func evaluate(
        _ file: WalkedFile,
        facts: ContentFacts,
        located: LocatedPackageFile?,
        checks: Set<ComplianceCheck>,
        root: RootDirectory
    )
        -> [Finding]
    {
        var findings: [Finding] = []
        let path = "/" + file.path
        let record = located?.record
        let intact = record != nil && facts.digest == record?.digest
        if checks.contains(.alteredPackageFiles), let record, let digest = facts.digest, digest != record.digest {
            findings.append(
                Finding(
                    .alteredPackageFiles,
                    severity: .high,
                    path: path,
                    package: record.package,
                    kind: "changed",
                    detail: "\(record.algorithm.rawValue) \(digest) differs from the package's \(record.digest)"
                        + (record.isConfiguration ? " (configuration file)" : "")
                )
            )
        }
        if checks.contains(.privateKeys), !intact {
            let kinds = facts.keyBlocks + (facts.keyFileFormat.map { [$0] } ?? [])
            if !kinds.isEmpty {
                findings.append(
                    Finding(
                        .privateKeys,
                        severity: .high,
                        path: path,
                        package: record?.package,
                        kind: "private-key",
                        detail: kinds.joined(separator: ", ")
                    )
                )
            }
        }
        if checks.contains(.cryptoMiners) {
            if MinerNames.isMinerName(file.name) && (file.isExecutable || facts.isELF) {
                findings.append(
                    Finding(
                        .cryptoMiners,
                        severity: .critical,
                        path: path,
                        package: record?.package,
                        kind: "miner-name",
                        detail: (facts.isELF ? "ELF file" : "executable") + " named like a known crypto miner"
                    )
                )
            }
            if let pool = facts.minerPool {
                findings.append(
                    Finding(
                        .cryptoMiners,
                        severity: .critical,
                        path: path,
                        package: record?.package,
                        kind: "pool-url",
                        detail: (facts.isELF ? "ELF file" : "script") + " holds a \(pool):// mining pool URL"
                    )
                )
            }
        }
        return findings
    }
}
