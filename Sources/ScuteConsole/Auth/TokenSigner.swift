import Crypto
import Foundation
import ScuteCore

/// Signs and verifies the console's bearer tokens: `v1.<base64url payload>.<base64url HMAC-SHA256>`.
/// The key lives in the data folder (or the database for replicas); tokens carry their own expiry.
struct TokenSigner: Sendable {
    /// What a verified token says.
    struct Claims: Sendable, Equatable {
        enum Kind: String, Sendable { case user, defender }
        var kind: Kind
        var subject: String
        var role: String
        /// Seconds since the epoch.
        var expires: Int64
        /// Defender tokens: the rotation generation they were issued in.
        var generation: Int64
    }

    private let key: SymmetricKey

    init(keyBytes: [UInt8]) {
        self.key = SymmetricKey(data: keyBytes)
    }

    func sign(_ claims: Claims) -> String {
        let payload: JSONValue = [
            "k": .string(claims.kind.rawValue),
            "sub": .string(claims.subject),
            "role": .string(claims.role),
            "exp": .number(String(claims.expires)),
            "gen": .number(String(claims.generation)),
        ]
        let body = Base64URL.encode(Array(payload.serialized(.compact).utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(("v1." + body).utf8), using: key)
        return "v1.\(body).\(Base64URL.encode(Array(mac)))"
    }

    /// The claims of a token with a good signature that has not expired; nil otherwise.
    func verify(_ token: String, now: Int64) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0] == "v1", let mac = Base64URL.decode(parts[2]), let body = Base64URL.decode(parts[1]) else {
            return nil
        }
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: Array("v1.\(parts[1])".utf8), using: key) else { return nil }
        guard let o = (try? JSONValue.parse(bytes: body))?.objectValue,
            let kind = o["k"]?.stringValue.flatMap(Claims.Kind.init(rawValue:)),
            let subject = o["sub"]?.stringValue, let role = o["role"]?.stringValue,
            let exp = o["exp"]?.intValue, let gen = o["gen"]?.intValue
        else { return nil }
        guard Int64(exp) > now else { return nil }
        return Claims(kind: kind, subject: subject, role: role, expires: Int64(exp), generation: Int64(gen))
    }
}

/// URL-safe base64 without padding.
enum Base64URL {
    static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: Substring) -> [UInt8]? {
        var s = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while s.utf8.count % 4 != 0 { s += "=" }
        return Data(base64Encoded: s).map(Array.init)
    }
}

/// Random bytes and identifiers from the system generator.
enum Secrets {
    static func bytes(_ count: Int) -> [UInt8] {
        var g = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }
    }

    /// A random URL-safe string with `bytes` bytes of entropy.
    static func token(_ bytes: Int = 24) -> String { Base64URL.encode(self.bytes(bytes)) }

    static func sha256Hex(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { b in (b < 16 ? "0" : "") + String(b, radix: 16) }.joined()
    }

    /// Compares without an early exit, so timing does not reveal how much of a secret matched.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<x.count { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}
