/// What a defender presents when it opens the channel (`Authorization: Bearer`):
/// - an install bundle's token: it enrolls (once per defender ID), and the console answers with a credential
///   of the defender's own in `welcome`;
/// - that credential, `scd1_<defenderID>.<secret>`, on every connection after: bound to the defender ID and
///   the app ID it enrolled with, revoked with the defender, and untouched by a rotation of the bundles.
enum ChannelCredential: Sendable, Equatable {
    /// An install bundle's token, by its enrollment ID (the SHA-256 of the token).
    case enrollment(id: String)
    /// A defender's own credential.
    case defender(id: String, secret: String)

    static let prefix = "scd1_"

    /// The credential text the defender keeps.
    static func make(defenderID: String, secret: String) -> String { prefix + defenderID + "." + secret }

    /// Reads a bearer token: a defender credential when it has that shape, else an install bundle token.
    init(bearer token: String) {
        if let (id, secret) = Self.defenderCredential(token) {
            self = .defender(id: id, secret: secret)
        } else {
            self = .enrollment(id: Secrets.sha256Hex(token))
        }
    }

    /// The defender ID and secret of a credential; nil for anything else.
    static func defenderCredential(_ token: String) -> (String, String)? {
        guard token.hasPrefix(prefix), token.utf8.count <= 256 else { return nil }
        let body = token.dropFirst(prefix.count)
        guard let dot = body.lastIndex(of: ".") else { return nil }
        let id = String(body[..<dot])
        let secret = String(body[body.index(after: dot)...])
        guard Identifiers.isValid(id), !secret.isEmpty else { return nil }
        return (id, secret)
    }
}
