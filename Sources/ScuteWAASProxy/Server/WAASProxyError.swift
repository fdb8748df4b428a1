/// A proxy that cannot start: names the address or file and the reason.
package struct WAASProxyError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case address
        case file
        case bind
    }

    private let kind: Kind
    /// The human message.
    package let message: String

    private init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    package var description: String { message }

    /// A `HOST:PORT` that does not parse.
    package static func address(_ text: String, _ reason: String) -> WAASProxyError {
        WAASProxyError(.address, "\(text): \(reason)")
    }

    static func file(_ path: String, _ reason: String) -> WAASProxyError {
        WAASProxyError(.file, "\(path): \(reason)")
    }

    static func bind(_ address: String, _ reason: String) -> WAASProxyError {
        WAASProxyError(.bind, "cannot listen on \(address): \(reason)")
    }
}
