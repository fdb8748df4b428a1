import Foundation
import JWTKit

/// Signs and verifies the console's bearer tokens: JWTs (HS256) with the console's token signing key from
/// the data folder. Login tokens and defender tokens carry their kind, subject, role, rotation generation
/// and expiry (`exp`); what they may do is decided by whoever checks them (the user's current role, the
/// current defender token generation).
struct TokenSigner: Sendable {
    /// What a verified token says.
    struct Claims: Sendable, Equatable {
        enum Kind: String, Sendable, Codable { case user, defender }
        var kind: Kind
        var subject: String
        var role: String
        /// Seconds since the epoch.
        var expires: Int64
        /// Defender tokens: the rotation generation they were issued in.
        var generation: Int64
    }

    /// The JWT payload: registered `sub` and `exp`, and the console's own claims.
    private struct Payload: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var kind: Claims.Kind
        var role: String
        var gen: Int64
        /// A random ID: two logins of one user in the same second get different tokens, so logging out of one
        /// (which ends that token) leaves the other alone. Optional: tokens signed before it are still read.
        var jti: IDClaim?

        func verify(using algorithm: some JWTAlgorithm) throws {
            try exp.verifyNotExpired()
        }
    }

    private let keys: JWTKeyCollection

    init(keyBytes: [UInt8]) async {
        keys = await JWTKeyCollection().add(hmac: HMACKey(from: keyBytes), digestAlgorithm: .sha256)
    }

    func sign(_ claims: Claims) async throws -> String {
        let payload = Payload(
            sub: SubjectClaim(value: claims.subject),
            exp: ExpirationClaim(value: Date(timeIntervalSince1970: TimeInterval(claims.expires))),
            kind: claims.kind,
            role: claims.role,
            gen: claims.generation,
            jti: IDClaim(value: Secrets.token(16))
        )
        return try await keys.sign(payload)
    }

    /// The claims of a token with a good signature that has not expired; nil otherwise.
    func verify(_ token: String) async -> Claims? {
        guard let payload = try? await keys.verify(token, as: Payload.self) else { return nil }
        return Claims(
            kind: payload.kind,
            subject: payload.sub.value,
            role: payload.role,
            expires: Int64(payload.exp.value.timeIntervalSince1970),
            generation: payload.gen
        )
    }
}
