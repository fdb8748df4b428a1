/// A console start-up or operation failure with a message for the operator.
public struct ConsoleError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case setup
        case configuration
    }

    private let kind: Kind
    public let message: String

    static func setup(_ message: String) -> ConsoleError { ConsoleError(kind: .setup, message: message) }
    static func configuration(_ message: String) -> ConsoleError { ConsoleError(kind: .configuration, message: message) }

    public var description: String { message }
}
