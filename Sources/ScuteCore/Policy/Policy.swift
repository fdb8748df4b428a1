/// What a rule section does with a violation.
public enum Effect: String, Sendable, Equatable, CaseIterable {
    /// The section is off: nothing is checked or reported.
    case disable
    /// The action goes ahead and an audit is recorded.
    case alert
    /// The action is refused and an audit is recorded.
    case prevent
}

/// A runtime policy: an ordered list of rules, the first whose collections match the app applies.
public struct Policy: Sendable, Equatable {
    public var rules: [Rule]

    public init(rules: [Rule] = []) { self.rules = rules }

    /// The rule that applies to an app, if any.
    public func rule(for app: AppIdentity) -> Rule? {
        rules.first { $0.applies(to: app) }
    }
}

/// Who the app is, as collections see it.
public struct AppIdentity: Sendable, Equatable {
    public var appID: String
    public var image: String
    public var container: String
    /// The ECS task definition family (`SCUTE_TASK_FAMILY`, or the task metadata endpoint's `Family`).
    public var taskFamily: String
    /// The task ID: the last part of the task ARN (see `taskID(fromARN:)`).
    public var taskID: String

    public init(appID: String, image: String = "", container: String = "", taskFamily: String = "", taskID: String = "") {
        self.appID = appID
        self.image = image
        self.container = container
        self.taskFamily = taskFamily
        self.taskID = taskID
    }

    /// The task ID of a task ARN: what follows its last `/`
    /// (`arn:aws:ecs:eu-west-1:123:task/cluster/0a1b...` gives `0a1b...`); the whole text when it has no `/`.
    public static func taskID(fromARN arn: String) -> String {
        arn.split(separator: "/").last.map(String.init) ?? ""
    }
}

/// A set of apps by app ID, image, container name, task family and task ID; `*` wildcards; a missing or
/// empty field matches all.
public struct Collection: Sendable, Equatable {
    public var appIDs: [Wildcard]
    public var images: [Wildcard]
    public var containers: [Wildcard]
    /// Task definition families, e.g. `fargate-task*`.
    public var taskFamilies: [Wildcard]
    /// Task IDs, the last part of task ARNs.
    public var taskIDs: [Wildcard]

    public init(
        appIDs: [String] = [],
        images: [String] = [],
        containers: [String] = [],
        taskFamilies: [String] = [],
        taskIDs: [String] = []
    ) {
        self.appIDs = appIDs.map { Wildcard($0) }
        self.images = images.map { Wildcard($0) }
        self.containers = containers.map { Wildcard($0) }
        self.taskFamilies = taskFamilies.map { Wildcard($0) }
        self.taskIDs = taskIDs.map { Wildcard($0) }
    }

    /// Whether every field matches the app.
    public func matches(_ app: AppIdentity) -> Bool {
        func field(_ patterns: [Wildcard], _ value: String) -> Bool {
            patterns.isEmpty || patterns.contains { $0.matches(value) }
        }
        return field(appIDs, app.appID) && field(images, app.image) && field(containers, app.container)
            && field(taskFamilies, app.taskFamily) && field(taskIDs, app.taskID)
    }
}

/// One rule of a policy.
public struct Rule: Sendable, Equatable {
    public var name: String
    /// The apps the rule is for; an empty list means every app.
    public var collections: [Collection]
    public var processes: ProcessRules
    public var dns: DNSRules
    public var network: NetworkRules

    public init(
        name: String,
        collections: [Collection] = [],
        processes: ProcessRules = ProcessRules(),
        dns: DNSRules = DNSRules(),
        network: NetworkRules = NetworkRules()
    ) {
        self.name = name
        self.collections = collections
        self.processes = processes
        self.dns = dns
        self.network = network
    }

    public func applies(to app: AppIdentity) -> Bool {
        collections.isEmpty || collections.contains { $0.matches(app) }
    }
}

/// Process launch rules. Entries match the executable's name, or its full path when they contain `/`,
/// or, written `sha256:HEX`, the executable's content: a copy under another name is still matched, so
/// an allowed list of digests enforces "only these binaries may run".
public struct ProcessRules: Sendable, Equatable {
    public var effect: Effect
    public var allowed: [Wildcard]
    public var denied: [Wildcard]
    /// What to do with a crypto miner (known names, stratum URLs in arguments), whatever the lists say.
    public var cryptoMiners: Effect
    /// What to do with a launch of a package's binary whose content no longer matches the package
    /// database (a "modified binary"), whatever the lists say.
    public var modifiedBinaries: Effect = .disable
    /// The digests (lower-case hex) of `sha256:` entries.
    public private(set) var allowedDigests: Set<String> = []
    public private(set) var deniedDigests: Set<String> = []

    public static let hashPrefix = "sha256:"

    /// The lower-case hex digest of a `sha256:HEX` entry; nil for any other entry.
    public static func digest(of entry: String) -> String? {
        let lower = entry.lowercased()
        guard lower.hasPrefix(hashPrefix) else { return nil }
        let hex = lower.dropFirst(hashPrefix.count)
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }) else { return nil }
        return String(hex)
    }

    /// Whether a launch must be hashed to be judged.
    public var usesDigests: Bool { !allowedDigests.isEmpty || !deniedDigests.isEmpty }

    public init(
        effect: Effect = .disable,
        allowed: [String] = [],
        denied: [String] = [],
        cryptoMiners: Effect = .disable,
        modifiedBinaries: Effect = .disable
    ) {
        self.effect = effect
        self.modifiedBinaries = modifiedBinaries
        self.allowed = allowed.filter { Self.digest(of: $0) == nil }.map { Wildcard($0) }
        self.denied = denied.filter { Self.digest(of: $0) == nil }.map { Wildcard($0) }
        self.allowedDigests = Set(allowed.compactMap(Self.digest(of:)))
        self.deniedDigests = Set(denied.compactMap(Self.digest(of:)))
        self.cryptoMiners = cryptoMiners
    }
}

/// DNS rules: case-insensitive domain patterns; `*.x` matches the subdomains of x; trailing dots ignored.
public struct DNSRules: Sendable, Equatable {
    public var effect: Effect
    public var allowed: [Wildcard]
    public var denied: [Wildcard]

    public init(effect: Effect = .disable, allowed: [String] = [], denied: [String] = []) {
        self.effect = effect
        self.allowed = allowed.map { DomainName.pattern($0) }
        self.denied = denied.map { DomainName.pattern($0) }
    }
}

/// An entry of `allowedIPs`/`deniedIPs`: an address block, or a domain pattern matched against the names
/// the app resolved to reach the address.
public enum NetworkEntry: Sendable, Equatable {
    case network(IPNetwork)
    case domain(Wildcard)

    /// Parses an address, a CIDR block or a domain pattern; nil when it is none of these.
    public init?(_ text: String) {
        if let n = IPNetwork(text) {
            self = .network(n)
        } else if DomainName.isPlausiblePattern(text) {
            self = .domain(DomainName.pattern(text))
        } else {
            return nil
        }
    }

    func matches(ip: IPAddress, domains: [String]) -> Bool {
        switch self {
        case .network(let n): return n.contains(ip)
        case .domain(let w): return domains.contains { w.matches(DomainName.normalized($0)) }
        }
    }
}

/// Outbound connection and listening-port rules.
public struct NetworkRules: Sendable, Equatable {
    public var effect: Effect
    public var allowedIPs: [NetworkEntry]
    public var deniedIPs: [NetworkEntry]
    public var allowedOutboundPorts: [PortRange]
    public var deniedOutboundPorts: [PortRange]
    public var allowedListeningPorts: [PortRange]
    public var deniedListeningPorts: [PortRange]

    public init(
        effect: Effect = .disable,
        allowedIPs: [NetworkEntry] = [],
        deniedIPs: [NetworkEntry] = [],
        allowedOutboundPorts: [PortRange] = [],
        deniedOutboundPorts: [PortRange] = [],
        allowedListeningPorts: [PortRange] = [],
        deniedListeningPorts: [PortRange] = []
    ) {
        self.effect = effect
        self.allowedIPs = allowedIPs
        self.deniedIPs = deniedIPs
        self.allowedOutboundPorts = allowedOutboundPorts
        self.deniedOutboundPorts = deniedOutboundPorts
        self.allowedListeningPorts = allowedListeningPorts
        self.deniedListeningPorts = deniedListeningPorts
    }
}

/// Domain name normalisation shared by DNS rules, network rules and the learned-name map.
public enum DomainName {
    /// Lowercased, without trailing dots.
    public static func normalized(_ name: String) -> String {
        var s = Wildcard.asciiLowercased(name)
        while s.hasSuffix(".") { s.removeLast() }
        return s
    }

    /// A case-insensitive wildcard for a domain entry.
    public static func pattern(_ entry: String) -> Wildcard {
        Wildcard(normalized(entry), caseInsensitive: true)
    }

    /// Whether text looks like a domain or domain pattern (letters, digits, `-`, `_`, `.`, `*`).
    public static func isPlausiblePattern(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 253 else { return false }
        return text.unicodeScalars.allSatisfy { u in
            (u.value >= 48 && u.value <= 57) || (u.value >= 65 && u.value <= 90) || (u.value >= 97 && u.value <= 122)
                || u == "-" || u == "_" || u == "." || u == "*"
        }
    }
}
