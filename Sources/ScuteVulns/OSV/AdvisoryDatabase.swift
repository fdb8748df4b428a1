/// The advisories a console holds: imports replace records by id, never with an older copy, and report counts.
package struct AdvisoryDatabase: Sendable {
    /// What one import changed.
    package struct ImportSummary: Codable, Equatable, Sendable {
        /// Records whose id was not held before.
        package var added = 0
        /// Records that replaced a held one: modified later, or modified at the same time with other content.
        package var updated = 0
        /// Records identical to the held ones.
        package var unchanged = 0
        /// Records older than the held ones (by `modified`), which were kept.
        package var older = 0
        /// Records held after the import.
        package var total = 0
        /// The latest `modified` among all records held, as written.
        package var newestModified: String?

        package init() {}
    }

    private var records: [String: OSVAdvisory] = [:]
    package private(set) var newestModified: String?

    package init() {}

    /// How many records are held.
    package var count: Int { records.count }

    /// The held records, in id order.
    package var advisories: [OSVAdvisory] { records.keys.sorted().compactMap { records[$0] } }

    package func advisory(id: String) -> OSVAdvisory? { records[id] }

    /// Adds or replaces records by id.
    @discardableResult
    package mutating func importAdvisories(_ advisories: [OSVAdvisory]) -> ImportSummary {
        var summary = ImportSummary()
        for advisory in advisories {
            if let held = records[advisory.id] {
                if held == advisory {
                    summary.unchanged += 1
                    continue
                }
                if Timestamp.isEarlier(advisory.modified, than: held.modified) {
                    summary.older += 1
                    continue
                }
                summary.updated += 1
            } else {
                summary.added += 1
            }
            records[advisory.id] = advisory
            if newestModified.map({ Timestamp.isEarlier($0, than: advisory.modified) }) ?? true {
                newestModified = advisory.modified
            }
        }
        summary.total = records.count
        summary.newestModified = newestModified
        return summary
    }

    /// A matcher over the held records.
    package func matcher() -> VulnerabilityMatcher { VulnerabilityMatcher(advisories: advisories) }
}
