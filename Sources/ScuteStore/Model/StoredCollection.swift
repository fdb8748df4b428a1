import ScuteCore

/// A named set of apps: app IDs, images, containers and task families, with `*` wildcards and `-` excludes.
public struct StoredCollection: Sendable, Equatable {
    public var name: String
    public var description: String
    public var appIDs: [String]
    public var images: [String]
    public var containers: [String]
    public var taskFamilies: [String]
    public var updatedAt: Int64

    public init(
        name: String,
        description: String = "",
        appIDs: [String] = [],
        images: [String] = [],
        containers: [String] = [],
        taskFamilies: [String] = [],
        updatedAt: Int64 = 0
    ) {
        self.name = name
        self.description = description
        self.appIDs = appIDs
        self.images = images
        self.containers = containers
        self.taskFamilies = taskFamilies
        self.updatedAt = updatedAt
    }

    /// Whether every field matches: a field with no include pattern matches all, `-pattern` excludes.
    public func matches(_ identity: DefenderIdentity) -> Bool {
        Self.field(appIDs, identity.appID) && Self.field(images, identity.image) && Self.field(containers, identity.container)
            && Self.field(taskFamilies, identity.taskFamily)
    }

    static func field(_ patterns: [String], _ value: String) -> Bool {
        var included = false
        var hasInclude = false
        for p in patterns {
            if p.hasPrefix("-") {
                if Wildcard(String(p.dropFirst())).matches(value) { return false }
            } else {
                hasInclude = true
                if !included && Wildcard(p).matches(value) { included = true }
            }
        }
        return !hasInclude || included
    }
}

/// Who a defender protects, as collections see it.
public struct DefenderIdentity: Sendable, Equatable {
    public var appID: String
    public var taskFamily: String
    public var container: String
    public var image: String

    public init(appID: String, taskFamily: String = "", container: String = "", image: String = "") {
        self.appID = appID
        self.taskFamily = taskFamily
        self.container = container
        self.image = image
    }
}
