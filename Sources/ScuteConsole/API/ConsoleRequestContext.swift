import Hummingbird
import Logging

/// The request context of the API: who is asking, once the auth middleware has looked at the token.
struct ConsoleRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: Identity?

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }

    /// The caller, if their role has the permission.
    func require(_ permission: Permission) throws(APIError) -> Identity {
        guard let identity else { throw APIError.unauthorized }
        guard permission.allows(identity.role) else { throw APIError.forbidden }
        return identity
    }
}
