/// One OSV record, reduced to what matching and reporting need.
///
/// Field names follow the OSV schema (https://ossf.github.io/osv-schema/); `details`, `references`, `credits` and
/// the rest are not kept.
package struct OSVAdvisory: Codable, Hashable, Sendable {
    package var id: String
    /// RFC 3339 time of the record's last change, as written.
    package var modified: String
    /// When the record was withdrawn; a withdrawn record never matches.
    package var withdrawn: String?
    package var aliases: [String]
    package var severity: [OSVSeverity]
    /// `database_specific.severity` when it is a string (GitHub's `HIGH`, ...).
    package var databaseSeverity: String?
    package var affected: [OSVAffected]

    package init(
        id: String,
        modified: String,
        withdrawn: String? = nil,
        aliases: [String] = [],
        severity: [OSVSeverity] = [],
        databaseSeverity: String? = nil,
        affected: [OSVAffected]
    ) {
        self.id = id
        self.modified = modified
        self.withdrawn = withdrawn
        self.aliases = aliases
        self.severity = severity
        self.databaseSeverity = databaseSeverity
        self.affected = affected
    }
}

/// A quantitative severity: `CVSS_V2`, `CVSS_V3`, `CVSS_V4` vectors or an `Ubuntu` priority.
package struct OSVSeverity: Codable, Hashable, Sendable {
    package var type: String
    package var score: String

    package init(type: String, score: String) {
        self.type = type
        self.score = score
    }
}

/// The versions of one package that a record affects.
package struct OSVAffected: Codable, Hashable, Sendable {
    /// As written, release included: `Debian:12`, `Alpine:v3.19`, `PyPI`.
    package var ecosystem: String
    package var name: String
    package var purl: String?
    package var ranges: [OSVRange]
    package var versions: [String]
    package var severity: [OSVSeverity]
    /// `database_specific.severity` or `ecosystem_specific.severity` of this entry, when a string.
    package var databaseSeverity: String?

    package init(
        ecosystem: String,
        name: String,
        purl: String? = nil,
        ranges: [OSVRange] = [],
        versions: [String] = [],
        severity: [OSVSeverity] = [],
        databaseSeverity: String? = nil
    ) {
        self.ecosystem = ecosystem
        self.name = name
        self.purl = purl
        self.ranges = ranges
        self.versions = versions
        self.severity = severity
        self.databaseSeverity = databaseSeverity
    }
}

/// A range of affected versions: a timeline of events under one ordering.
package struct OSVRange: Codable, Hashable, Sendable {
    /// `ECOSYSTEM`, `SEMVER` or `GIT` (ignored: installed binaries carry no commit).
    package var type: String
    package var events: [OSVEvent]

    package init(type: String, events: [OSVEvent]) {
        self.type = type
        self.events = events
    }
}

/// One event of a range's timeline.
package struct OSVEvent: Codable, Hashable, Sendable {
    package enum Kind: String, Codable, Hashable, Sendable {
        case introduced
        case fixed
        case lastAffected = "last_affected"
        case limit
    }

    package var kind: Kind
    package var version: String

    package init(_ kind: Kind, _ version: String) {
        self.kind = kind
        self.version = version
    }
}
