/// A store operation that failed; the message is safe to show to an API client (no SQL, no paths).
public struct StoreError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case conflict
        case notFound
        case invalid
        case unavailable
    }

    private let kind: Kind
    /// A human message.
    public let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// Something with that name or id already exists.
    public static func conflict(_ message: String) -> StoreError { StoreError(.conflict, message) }
    /// Nothing with that name or id exists.
    public static func notFound(_ message: String) -> StoreError { StoreError(.notFound, message) }
    /// The request does not make sense for the stored data.
    public static func invalid(_ message: String) -> StoreError { StoreError(.invalid, message) }
    /// The database failed or cannot be reached; details go to the log, not to clients.
    public static func unavailable(_ message: String) -> StoreError { StoreError(.unavailable, message) }

    public var isConflict: Bool { kind == .conflict }
    public var isNotFound: Bool { kind == .notFound }
    public var isInvalid: Bool { kind == .invalid }
    public var isUnavailable: Bool { kind == .unavailable }

    public var description: String { message }
}
