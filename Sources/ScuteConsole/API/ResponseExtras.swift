import HTTPTypes
import Synchronization

/// Response header fields a handler adds beyond what the document describes (`Scute-Warning`,
/// `Content-Disposition`, `Scute-Total`); `APIGuard` puts them on the response.
final class ResponseExtras: Sendable {
    @TaskLocal static var current: ResponseExtras?

    private let fields = Mutex(HTTPFields())

    var headerFields: HTTPFields { fields.withLock { $0 } }

    static func add(_ name: HTTPField.Name, _ value: String) {
        current?.fields.withLock { $0.append(HTTPField(name: name, value: value)) }
    }
}

extension HTTPField.Name {
    static let scuteWarning = HTTPField.Name("Scute-Warning")!
    static let scuteTotal = HTTPField.Name("Scute-Total")!
}
