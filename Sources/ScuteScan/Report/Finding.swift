/// How serious a finding is; `info` findings never fail a scan.
package enum Severity: String, Codable, Sendable, Hashable, CaseIterable, Comparable {
    case critical, high, medium, low, info

    private var rank: Int {
        switch self {
        case .critical: return 4
        case .high: return 3
        case .medium: return 2
        case .low: return 1
        case .info: return 0
        }
    }

    package static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
}

/// The compliance checks this scanner runs, by their numbers.
package enum ComplianceCheck: Int, Codable, Sendable, CaseIterable, Hashable {
    /// Sensitive information in environment variables.
    case secretEnvironment = 424
    /// Private keys stored in the image.
    case privateKeys = 425
    /// Crypto miners.
    case cryptoMiners = 426
    /// Package binaries altered.
    case alteredPackageFiles = 448

    /// The check's title as reported.
    package var title: String {
        switch self {
        case .secretEnvironment: return "Sensitive information provided in environment variables"
        case .privateKeys: return "Private keys stored in image"
        case .cryptoMiners: return "Image contains binaries used for crypto mining"
        case .alteredPackageFiles: return "Package binaries should not be altered"
        }
    }
}

/// One compliance finding. It never holds a secret value.
package struct Finding: Codable, Sendable, Hashable {
    /// The check's number (424, 425, 426, 448).
    package var check: Int
    package var title: String
    package var severity: Severity
    /// Absolute path as seen inside the root, e.g. `/usr/bin/tail`.
    package var path: String?
    /// The owning package, when one is known.
    package var package: String?
    /// What kind of finding: `changed`, `missing`, `symlink`, `diverted`, a rule name, ...
    package var kind: String?
    /// The environment variable's name (424).
    package var variable: String?
    package var detail: String?

    /// A finding of one of the built-in checks.
    package init(
        _ check: ComplianceCheck,
        severity: Severity,
        path: String? = nil,
        package: String? = nil,
        kind: String? = nil,
        variable: String? = nil,
        detail: String? = nil
    ) {
        self.check = check.rawValue
        self.title = check.title
        self.severity = severity
        self.path = path
        self.package = package
        self.kind = kind
        self.variable = variable
        self.detail = detail
    }
}

/// A problem that did not stop the scan: an unreadable file, an unsupported database, a skipped large file.
package struct ScanIssue: Codable, Sendable, Hashable {
    /// Absolute path inside the root, when the problem is about one path.
    package var path: String?
    package var message: String

    package init(path: String? = nil, message: String) {
        self.path = path
        self.message = message
    }
}
