import ScuteStore

/// Who made a request, once their token checked out.
struct Identity: Sendable, Equatable {
    enum Source: String, Sendable { case session, apiToken }
    var name: String
    var role: Role
    var source: Source
}

/// What an endpoint needs; each maps to the roles that may do it.
enum Permission: Sendable {
    /// Read policies, collections, defenders, audits, settings: every role.
    case read
    /// Change rules and collections: admin, operator.
    case writePolicy
    /// Revoke or delete defenders, install bundles, embedding: admin, operator, defender manager.
    case manageDefenders
    /// Users, API tokens, settings: admin.
    case administer

    func allows(_ role: Role) -> Bool {
        switch self {
        case .read: true
        case .writePolicy: role == .admin || role == .operator
        case .manageDefenders: role == .admin || role == .operator || role == .defenderManager
        case .administer: role == .admin
        }
    }
}
