/// Why a scan or an inventory could not run at all (problems with single files are reported, not thrown).
package struct ScanError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Reason: Equatable, Sendable {
        case root
        case io
        case unsupported
        case corrupt
    }

    private let reason: Reason
    /// A human message naming what is wrong.
    package let message: String

    private init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The root folder cannot be opened or is not a folder.
    package static func root(_ message: String) -> ScanError { .init(.root, message) }
    /// A file system call failed.
    package static func io(_ message: String) -> ScanError { .init(.io, message) }
    /// A database or file format that this scanner does not read.
    package static func unsupported(_ message: String) -> ScanError { .init(.unsupported, message) }
    /// A database or file that is not in the format it claims.
    package static func corrupt(_ message: String) -> ScanError { .init(.corrupt, message) }

    /// True when the format is known but not supported (older rpm databases).
    package var isUnsupported: Bool { reason == .unsupported }
    /// True when the root could not be opened.
    package var isRoot: Bool { reason == .root }

    package var description: String { message }
}
