import ScuteCore

/// One runtime rule as the console keeps it: the rule JSON of the policy model, in policy order.
public struct RuntimeRule: Sendable, Equatable {
    public var name: String
    /// The rule object (`name`, `collections`, `processes`, `dns`, `network`), as the policy model reads it.
    public var body: JSONValue
    public var updatedAt: Int64

    public init(name: String, body: JSONValue, updatedAt: Int64 = 0) {
        self.name = name
        self.body = body
        self.updatedAt = updatedAt
    }
}

/// The ordered rule list and its version, which grows by one on every change.
public struct RuntimePolicy: Sendable, Equatable {
    public var version: Int64
    public var rules: [RuntimeRule]

    public init(version: Int64, rules: [RuntimeRule]) {
        self.version = version
        self.rules = rules
    }
}
