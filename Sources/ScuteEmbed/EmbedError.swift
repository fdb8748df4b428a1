/// Why an embed could not be done. The message names the field, container or line that is wrong.
public struct EmbedError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case invalidInput
        case missingEntryPoint
        case unknownContainer
    }

    private let kind: Kind
    public let message: String

    public var description: String { message }

    /// The input is malformed or inconsistent.
    public static func invalidInput(_ message: String) -> EmbedError { EmbedError(kind: .invalidInput, message: message) }

    /// A container's entry point cannot be known from the input.
    public static func missingEntryPoint(container: String, keyStyle: KeyStyle) -> EmbedError {
        let ep = keyStyle.key("entryPoint")
        return EmbedError(
            kind: .missingEntryPoint,
            message: """
                container "\(container)" has no \(ep): the defender must start the original entry point, which \
                lives only in the image. Add the image's ENTRYPOINT to the task definition, or give \
                --image-config \(container)=FILE (docker image inspect output), or --assume-no-entrypoint \
                \(container) when the image has none, or --exclude \(container) to leave it unprotected
                """
        )
    }

    /// An option names a container the task does not have.
    public static func unknownContainer(option: String, name: String, known: [String]) -> EmbedError {
        EmbedError(
            kind: .unknownContainer,
            message: "\(option) names container \"\(name)\", which the task does not have (containers: \(known.joined(separator: ", ")))"
        )
    }

    public static func == (lhs: EmbedError, rhs: EmbedError) -> Bool { lhs.kind == rhs.kind && lhs.message == rhs.message }
}
