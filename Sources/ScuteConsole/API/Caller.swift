/// Who is asking, for the handlers of the generated API: `APIGuard` sets it once the token checked out.
enum Caller {
    @TaskLocal static var identity: Identity?
    /// The client's address (`ClientAddressMiddleware`), for login throttling.
    @TaskLocal static var address: String = "local"

    /// The caller; `APIGuard` runs every secured handler with one, so nil means a wiring mistake.
    static func current() throws(APIError) -> Identity {
        guard let identity else { throw APIError.unauthorized }
        return identity
    }
}
