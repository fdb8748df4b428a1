/// The latest report of one kind from one defender: `compliance` (the scan report), `inventory` (the
/// packages and their release) or `vulnerabilities` (what the console matched for that inventory).
public struct StoredReport: Sendable, Equatable {
    public var defenderID: String
    public var kind: String
    public var appID: String
    public var taskFamily: String
    public var taskARN: String
    public var container: String
    public var image: String
    /// When the console received it, milliseconds since 1970.
    public var time: Int64
    /// Compact JSON, checked on ingest.
    public var body: String

    public init(
        defenderID: String,
        kind: String,
        appID: String = "",
        taskFamily: String = "",
        taskARN: String = "",
        container: String = "",
        image: String = "",
        time: Int64,
        body: String
    ) {
        self.defenderID = defenderID
        self.kind = kind
        self.appID = appID
        self.taskFamily = taskFamily
        self.taskARN = taskARN
        self.container = container
        self.image = image
        self.time = time
        self.body = body
    }
}

/// One OSV advisory as the console keeps it: the record's JSON with the columns imports compare by.
public struct StoredAdvisory: Sendable, Equatable {
    public var id: String
    public var modified: String
    /// The first affected package's ecosystem and name (for reading the table; matching reads `body`).
    public var ecosystem: String
    public var package: String
    public var body: String

    public init(id: String, modified: String, ecosystem: String, package: String, body: String) {
        self.id = id
        self.modified = modified
        self.ecosystem = ecosystem
        self.package = package
        self.body = body
    }
}
