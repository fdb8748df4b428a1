#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A problem with a task definition, an option of `scute task run`, or the system while running the task.
package struct TaskError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Reason: Equatable, Sendable {
        case definition
        case option
        case system
    }

    private let reason: Reason
    /// A human message naming what is wrong.
    package let message: String

    private init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    /// The task definition cannot be run as written.
    package static func definition(_ message: String) -> TaskError { .init(.definition, message) }
    /// An option (a root, an image configuration, an environment file) is missing or malformed.
    package static func option(_ message: String) -> TaskError { .init(.option, message) }
    /// A system call failed: `what` failed with `errno`.
    package static func system(_ what: String, errno code: Int32) -> TaskError {
        .init(.system, "\(what): \(String(cString: strerror(code)))")
    }
    /// Setting up the task failed for a reason described in `message`.
    package static func system(_ message: String) -> TaskError { .init(.system, message) }

    package var isDefinitionError: Bool { reason == .definition }
    package var isOptionError: Bool { reason == .option }

    package var description: String { message }
}
