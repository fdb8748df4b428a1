/// A problem building, reading or unpacking a defender bundle.
public struct BundleError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Reason: Equatable, Sendable {
        case corrupt
        case unsafePath
        case io
        case notStatic
    }

    private let reason: Reason
    /// A human message.
    public let message: String

    private init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The archive is not valid gzip or tar.
    package static func corrupt(_ message: String) -> BundleError { .init(.corrupt, message) }
    /// An entry would land outside the target folder.
    package static func unsafePath(_ message: String) -> BundleError { .init(.unsafePath, message) }
    /// A file system call failed.
    package static func io(_ message: String) -> BundleError { .init(.io, message) }
    /// The defender executable needs a dynamic loader.
    package static func notStatic(_ message: String) -> BundleError { .init(.notStatic, message) }

    public var isCorrupt: Bool { reason == .corrupt }
    public var isUnsafePath: Bool { reason == .unsafePath }
    public var isNotStatic: Bool { reason == .notStatic }

    public var description: String { message }
}
