/// A defender the console knows, connected or not.
public struct DefenderRecord: Sendable, Equatable {
    /// Stable identifier the defender generates once and keeps in its data folder.
    public var id: String
    public var appID: String
    public var taskFamily: String
    public var taskARN: String
    public var container: String
    public var image: String
    public var version: String
    public var connected: Bool
    /// When it connected (if connected) or disconnected (if not), milliseconds since the epoch.
    public var since: Int64
    public var lastSeen: Int64
    public var revoked: Bool
    /// SHA-256 (hex) of the credential the console issued when the defender enrolled; empty for a defender
    /// that never enrolled (protocol 1, which presents the install bundle every time).
    public var credentialHash: String
    /// Which install bundle enrolled it (the SHA-256 of the bundle's token); revoking the defender stops that
    /// bundle from enrolling more.
    public var enrollmentID: String

    public init(
        id: String,
        appID: String,
        taskFamily: String = "",
        taskARN: String = "",
        container: String = "",
        image: String = "",
        version: String = "",
        connected: Bool = false,
        since: Int64 = 0,
        lastSeen: Int64 = 0,
        revoked: Bool = false,
        credentialHash: String = "",
        enrollmentID: String = ""
    ) {
        self.id = id
        self.appID = appID
        self.taskFamily = taskFamily
        self.taskARN = taskARN
        self.container = container
        self.image = image
        self.version = version
        self.connected = connected
        self.since = since
        self.lastSeen = lastSeen
        self.revoked = revoked
        self.credentialHash = credentialHash
        self.enrollmentID = enrollmentID
    }

    /// Whether the defender holds a credential of its own.
    public var isEnrolled: Bool { !credentialHash.isEmpty }

    /// The prefix of a credential hash the console issued in a `welcome` that the defender has not yet said it
    /// kept: the channel that enrolled it rolls the enrollment back when it ends unconfirmed, so a defender whose
    /// welcome was lost can enroll again with the bundle instead of being locked out.
    public static let pendingCredentialPrefix = "pending:"

    /// The credential's hash without the pending mark.
    public var confirmedCredentialHash: String {
        credentialHash.hasPrefix(Self.pendingCredentialPrefix) ? String(credentialHash.dropFirst(Self.pendingCredentialPrefix.count)) : credentialHash
    }

    /// The identity collections match against.
    public var identity: DefenderIdentity {
        DefenderIdentity(appID: appID, taskFamily: taskFamily, taskARN: taskARN, container: container, image: image)
    }
}
