/// What the engine inspects and what it tolerates; built once per policy and shared by every request.
package struct WAASConfiguration: Sendable, Equatable {
    /// Categories whose detectors run; findings of other categories are never produced.
    package var enabledCategories: Set<WAASCategory>
    /// Findings matching any of these are dropped.
    package var exceptions: [WAASException]
    /// Methods allowed (upper case); others give `protocol-1001`.
    package var allowedMethods: Set<String>
    /// Request content types allowed (lower case, no parameters); others give `protocol-1006`.
    package var allowedContentTypes: Set<String>
    /// Charsets allowed in `Content-Type` and multipart parts (lower case).
    package var allowedCharsets: Set<String>
    /// Path extensions refused (lower case, with the dot), e.g. `.bak`.
    package var restrictedExtensions: Set<String>
    /// Request headers refused (lower case), e.g. `proxy`.
    package var restrictedHeaders: Set<String>
    /// Work bounds.
    package var limits: WAASLimits

    /// The default policy: every category on, CRS-like method, content-type and extension lists.
    package init(
        enabledCategories: Set<WAASCategory> = Set(WAASCategory.allCases),
        exceptions: [WAASException] = [],
        allowedMethods: Set<String> = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"],
        allowedContentTypes: Set<String> = WAASConfiguration.defaultContentTypes,
        allowedCharsets: Set<String> = ["utf-8", "iso-8859-1", "iso-8859-15", "windows-1252", "us-ascii"],
        restrictedExtensions: Set<String> = WAASConfiguration.defaultRestrictedExtensions,
        restrictedHeaders: Set<String> = [
            "proxy", "lock-token", "content-range", "if", "translate", "x-middleware-subrequest", "request-range", "content-encoding",
        ],
        limits: WAASLimits = WAASLimits()
    ) {
        self.enabledCategories = enabledCategories
        self.exceptions = exceptions
        self.allowedMethods = allowedMethods
        self.allowedContentTypes = allowedContentTypes
        self.allowedCharsets = allowedCharsets
        self.restrictedExtensions = restrictedExtensions
        self.restrictedHeaders = restrictedHeaders
        self.limits = limits
    }

    /// Body types the default policy accepts.
    package static let defaultContentTypes: Set<String> = [
        "application/x-www-form-urlencoded", "multipart/form-data", "application/json", "application/xml", "text/xml",
        "application/soap+xml", "text/plain", "application/graphql", "application/x-ndjson",
    ]

    /// Path extensions that only leak backups, configuration or databases.
    package static let defaultRestrictedExtensions: Set<String> = [
        ".bak", ".backup", ".old", ".orig", ".sav", ".swp", ".tmp", ".db", ".sqlite", ".sql", ".mdb", ".rdb", ".dbf",
        ".cfg", ".conf", ".config", ".ini", ".inc", ".key", ".pem", ".log", ".pwd", ".pass", ".passwd", ".htpasswd",
        ".htaccess", ".dll", ".bat", ".cmd", ".vbs", ".ps1", ".sh", ".asa", ".asax", ".cs", ".csproj", ".vb", ".pdb",
    ]
}

/// Bounds on the work done per request.
package struct WAASLimits: Sendable, Equatable {
    /// Body bytes inspected (the proxy should buffer at most this many).
    package var bodyInspectionLimit: Int
    /// Named inputs inspected per request (parameters, cookies, headers, JSON strings...).
    package var maxInputs: Int
    /// Bytes of one input value that are decoded and inspected.
    package var maxValueLength: Int
    /// Decoding rounds (percent, entities, escapes) per value.
    package var maxDecodeRounds: Int
    /// Nesting depth for JSON and XML bodies.
    package var maxDepth: Int
    /// Findings returned per request.
    package var maxFindings: Int

    /// Defaults sized for web traffic: 128 KiB of body, 512 inputs, 16 KiB per value.
    package init(
        bodyInspectionLimit: Int = 128 * 1024,
        maxInputs: Int = 512,
        maxValueLength: Int = 16 * 1024,
        maxDecodeRounds: Int = 4,
        maxDepth: Int = 48,
        maxFindings: Int = 32
    ) {
        self.bodyInspectionLimit = bodyInspectionLimit
        self.maxInputs = maxInputs
        self.maxValueLength = maxValueLength
        self.maxDecodeRounds = maxDecodeRounds
        self.maxDepth = maxDepth
        self.maxFindings = maxFindings
    }
}

/// A rule exception: findings matching every given condition are dropped.
package struct WAASException: Sendable, Equatable {
    /// Which request paths the exception covers.
    package enum PathMatch: Sendable, Equatable {
        case any
        case exact(String)
        case prefix(String)
    }

    package var path: PathMatch
    /// Finding locations (e.g. `query:q`, `header:User-Agent`); a trailing `*` matches a prefix. Empty: any.
    package var locations: [String]
    /// Rule IDs; empty: any.
    package var ruleIDs: Set<String>
    /// Categories; empty: any.
    package var categories: Set<WAASCategory>

    /// Makes an exception; leave a condition empty to match anything.
    package init(path: PathMatch = .any, locations: [String] = [], ruleIDs: Set<String> = [], categories: Set<WAASCategory> = []) {
        self.path = path
        self.locations = locations
        self.ruleIDs = ruleIDs
        self.categories = categories
    }

    func matches(path requestPath: String, finding: Finding) -> Bool {
        switch path {
        case .any: break
        case .exact(let exact): if requestPath != exact { return false }
        case .prefix(let prefix): if !requestPath.hasPrefix(prefix) { return false }
        }
        if !ruleIDs.isEmpty && !ruleIDs.contains(finding.ruleID) { return false }
        if !categories.isEmpty && !categories.contains(finding.category) { return false }
        if !locations.isEmpty {
            let matched = locations.contains { pattern in
                if pattern.hasSuffix("*") { return finding.location.hasPrefix(pattern.dropLast()) }
                return finding.location == pattern
            }
            if !matched { return false }
        }
        return true
    }
}
