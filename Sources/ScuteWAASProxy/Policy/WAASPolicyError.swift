/// A policy file that cannot be used: names the file, the key and what is wrong with it.
package struct WAASPolicyError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case unreadable
        case syntax
        case invalidValue
        case unknownKey
    }

    private let kind: Kind
    /// The human message, e.g. `policy.json: effects.sqlx: unknown category`.
    package let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }

    static func unreadable(_ path: String, _ reason: String) -> WAASPolicyError {
        WAASPolicyError(.unreadable, "\(path): \(reason)")
    }

    static func syntax(_ reason: String) -> WAASPolicyError {
        WAASPolicyError(.syntax, "not a JSON object: \(reason)")
    }

    static func invalid(_ key: String, _ reason: String) -> WAASPolicyError {
        WAASPolicyError(.invalidValue, "\(key): \(reason)")
    }

    static func unknownKey(_ key: String, allowed: [String]) -> WAASPolicyError {
        WAASPolicyError(.unknownKey, "\(key): unknown key (known: \(allowed.joined(separator: ", ")))")
    }

    /// The same error with `prefix` (usually the file name) in front of the message.
    func prefixed(_ prefix: String) -> WAASPolicyError {
        WAASPolicyError(kind, "\(prefix): \(message)")
    }
}
