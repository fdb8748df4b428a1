/// What a user or API token may do.
public enum Role: String, Sendable, Equatable, CaseIterable, Comparable {
    /// Everything, including users and settings.
    case admin
    /// Policies, collections, defenders, audits, embedding.
    case `operator`
    /// Defenders, install bundles and embedding; reads policies.
    case defenderManager
    /// Reads everything, changes nothing.
    case auditor

    private var rank: Int {
        switch self {
        case .auditor: 0
        case .defenderManager: 1
        case .operator: 2
        case .admin: 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
}

/// A console user. The password is only ever held as a bcrypt hash.
public struct User: Sendable, Equatable {
    public var name: String
    public var passwordHash: String
    public var role: Role
    /// Milliseconds since the Unix epoch.
    public var createdAt: Int64
    /// Login tokens carry the generation they were issued in and count only while it is current; it moves on
    /// when the password changes or the role is lowered, which ends every session of the user.
    public var sessionGeneration: Int64

    public init(name: String, passwordHash: String, role: Role, createdAt: Int64, sessionGeneration: Int64? = nil) {
        self.name = name
        self.passwordHash = passwordHash
        self.role = role
        self.createdAt = createdAt
        // A user deleted and created again under the same name starts at another generation.
        self.sessionGeneration = sessionGeneration ?? createdAt
    }
}

/// An API token for pipelines: the secret is shown once; the store keeps its SHA-256.
public struct APIToken: Sendable, Equatable {
    public var id: String
    public var name: String
    public var userName: String
    public var role: Role
    public var secretHash: String
    public var createdAt: Int64
    public var expiresAt: Int64?

    public init(id: String, name: String, userName: String, role: Role, secretHash: String, createdAt: Int64, expiresAt: Int64? = nil) {
        self.id = id
        self.name = name
        self.userName = userName
        self.role = role
        self.secretHash = secretHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
