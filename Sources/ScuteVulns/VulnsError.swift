/// Why advisories or an inventory could not be read; the message names the file, the field or the byte.
package struct VulnsError: Error, Equatable, Sendable, CustomStringConvertible {
    private enum Kind: Equatable, Sendable {
        case invalidJSON(offset: Int, expected: String)
        case missingField(String)
        case wrongType(field: String, expected: String)
        case unreadable(path: String, reason: String)
        case notAdvisories(path: String)
    }

    private let kind: Kind
    /// The file or archive entry the problem is in, when known.
    package private(set) var source: String?

    private init(_ kind: Kind, source: String? = nil) {
        self.kind = kind
        self.source = source
    }

    static func invalidJSON(offset: Int, expected: String) -> VulnsError { .init(.invalidJSON(offset: offset, expected: expected)) }

    static func missingField(_ field: String) -> VulnsError { .init(.missingField(field)) }

    static func wrongType(field: String, expected: String) -> VulnsError { .init(.wrongType(field: field, expected: expected)) }

    /// A file, folder or archive that could not be read.
    package static func unreadable(path: String, reason: String) -> VulnsError { .init(.unreadable(path: path, reason: reason)) }

    static func notAdvisories(path: String) -> VulnsError { .init(.notAdvisories(path: path)) }

    /// The same error, said to be in `source`.
    package func `in`(_ source: String) -> VulnsError {
        var copy = self
        copy.source = source
        return copy
    }

    /// What is wrong, without the source.
    package var message: String {
        switch kind {
        case .invalidJSON(let offset, let expected): "invalid JSON at byte \(offset): expected \(expected)"
        case .missingField(let field): "missing required field \(field)"
        case .wrongType(let field, let expected): "\(field) must be \(expected)"
        case .unreadable(let path, let reason): "cannot read \(path): \(reason)"
        case .notAdvisories(let path): "\(path) is neither a folder of OSV JSON files nor a zip of them"
        }
    }

    package var description: String {
        guard let source else { return message }
        return "\(source): \(message)"
    }
}
