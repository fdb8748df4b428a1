/// One detection: what was found, by which rule, where, and a short redacted excerpt of it.
package struct Finding: Sendable, Equatable, Hashable {
    /// The attack class.
    package var category: WAASCategory
    /// The stable rule identifier, e.g. `sqli-101` (see `WAASRules.catalog`).
    package var ruleID: String
    /// Where it was found: `path`, `query:id`, `form:field`, `multipart:field`, `json:$.user.name`,
    /// `xml:/root/a/@probe`, `cookie:sid`, `header:User-Agent`, `body`, `request-line`.
    package var location: String
    /// At most about 40 characters around the match, control characters escaped, long digit runs masked.
    package var excerpt: String

    /// Makes a finding.
    package init(category: WAASCategory, ruleID: String, location: String, excerpt: String) {
        self.category = category
        self.ruleID = ruleID
        self.location = location
        self.excerpt = excerpt
    }
}
