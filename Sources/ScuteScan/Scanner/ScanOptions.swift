/// What a scan looks at and how.
package struct ScanOptions: Sendable {
    /// The checks to run (424, 425, 426, 448); all by default.
    package var checks: Set<ComplianceCheck> = Set(ComplianceCheck.allCases)
    /// The container's environment for 424 (`--env-file`, `--env-pid`); 424 is skipped when nil.
    package var environment: [EnvironmentVariable]?
    /// Report edited package configuration files (dpkg conffiles, rpm %config) under 448; off by default.
    package var verifyConfigurationFiles = false
    /// Also hash package documentation (`usr/share/doc`, `man`, `info`, `locale`) under 448: never executed,
    /// a third of a Debian root's package bytes; off by default. Missing documentation is still reported.
    package var verifyDocumentation = false
    /// Regular files larger than this are not read (listed in the report's errors).
    package var maximumFileSize = 512 << 20
    /// Threads reading file contents.
    package var threads = 2
    /// The SQLite reader for rpmdb.sqlite (ScuteScanSQLite's `SystemRpmHeaderSource`); rpm databases are
    /// reported as unreadable without one.
    package var rpmHeaderSource: (any RpmHeaderSource)?

    package init(
        checks: Set<ComplianceCheck> = Set(ComplianceCheck.allCases),
        environment: [EnvironmentVariable]? = nil,
        verifyConfigurationFiles: Bool = false,
        verifyDocumentation: Bool = false,
        rpmHeaderSource: (any RpmHeaderSource)? = nil
    ) {
        self.checks = checks
        self.environment = environment
        self.verifyConfigurationFiles = verifyConfigurationFiles
        self.verifyDocumentation = verifyDocumentation
        self.rpmHeaderSource = rpmHeaderSource
    }

    /// Parses `--checks 424,425` into checks; throws on an unknown number.
    package static func parseChecks(_ list: String) throws(ScanError) -> Set<ComplianceCheck> {
        var checks: Set<ComplianceCheck> = []
        for item in list.split(separator: ",") {
            let trimmed = item.trimmingCharacters(in: " ")
            guard let number = Int(trimmed), let check = ComplianceCheck(rawValue: number) else {
                throw .unsupported("unknown check '\(trimmed)' in --checks; known: 424, 425, 426, 448")
            }
            checks.insert(check)
        }
        return checks
    }
}
