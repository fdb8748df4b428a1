import ScuteCore

/// A named set of apps: app IDs, images, containers, task families and task IDs, with `*` wildcards and `-` excludes.
public struct StoredCollection: Sendable, Equatable {
    public var name: String
    public var description: String
    public var appIDs: [String]
    public var images: [String]
    public var containers: [String]
    public var taskFamilies: [String]
    /// Task IDs: the last part of task ARNs.
    public var taskIDs: [String]
    public var updatedAt: Int64

    public init(
        name: String,
        description: String = "",
        appIDs: [String] = [],
        images: [String] = [],
        containers: [String] = [],
        taskFamilies: [String] = [],
        taskIDs: [String] = [],
        updatedAt: Int64 = 0
    ) {
        self.name = name
        self.description = description
        self.appIDs = appIDs
        self.images = images
        self.containers = containers
        self.taskFamilies = taskFamilies
        self.taskIDs = taskIDs
        self.updatedAt = updatedAt
    }

    /// Whether every field matches: a field with no include pattern matches all, `-pattern` excludes.
    public func matches(_ identity: DefenderIdentity) -> Bool {
        Self.field(appIDs, identity.appID) && Self.field(images, identity.image) && Self.field(containers, identity.container)
            && Self.field(taskFamilies, identity.taskFamily) && Self.field(taskIDs, identity.taskID)
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
    /// The last part of the task ARN.
    public var taskID: String
    public var container: String
    public var image: String

    public init(appID: String, taskFamily: String = "", taskID: String = "", container: String = "", image: String = "") {
        self.appID = appID
        self.taskFamily = taskFamily
        self.taskID = taskID
        self.container = container
        self.image = image
    }

    /// The identity of a defender's stored record: the task ID is taken from the task ARN.
    public init(appID: String, taskFamily: String, taskARN: String, container: String, image: String) {
        self.init(appID: appID, taskFamily: taskFamily, taskID: AppIdentity.taskID(fromARN: taskARN), container: container, image: image)
    }

    /// The identity a defender's hello gives: the task ID is taken from the task ARN.
    public init(hello: DefenderHello) {
        self.init(appID: hello.appID, taskFamily: hello.taskFamily, taskARN: hello.taskARN, container: hello.container, image: hello.image)
    }
}
