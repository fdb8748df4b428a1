import Foundation

extension APIError {
    /// A 400 naming the field a generated decoder stopped at: `appIDs[1]: expected a string, found number`.
    init(decoding error: DecodingError) {
        switch error {
        case .typeMismatch(let type, let context):
            let field = Self.field(context.codingPath)
            self = .badRequest(field, "expected \(Self.describe(type))\(Self.found(context.debugDescription))")
        case .valueNotFound(let type, let context):
            self = .badRequest(Self.field(context.codingPath), "expected \(Self.describe(type)), found null")
        case .keyNotFound(let key, let context):
            self = .badRequest(Self.field(context.codingPath + [key]), "missing")
        case .dataCorrupted(let context):
            let field = Self.field(context.codingPath)
            if context.debugDescription.hasPrefix("Additional properties") {
                self = .badRequest(field, "unknown field")
            } else if context.codingPath.isEmpty {
                let detail = (context.underlyingError.map { "\($0)" } ?? context.debugDescription).prefix(200)
                self = .badRequest(field, "not valid JSON (\(detail))")
            } else if let range = context.debugDescription.range(of: "invalid String value ") {
                // A value outside the schema's enum.
                self = .badRequest(field, "\(context.debugDescription[range.upperBound...].prefix(200)) is not an allowed value")
            } else {
                self = .badRequest(field, "invalid value (\(context.debugDescription.prefix(200)))")
            }
        @unknown default:
            self = .badRequest("body", "could not be read")
        }
    }

    /// `processes.allowed[2]`, or `body` for the whole body.
    static func field(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out.isEmpty ? "body" : out
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type, is Int32.Type: "an integer"
        case is Double.Type, is Float.Type: "a number"
        case is Bool.Type: "a boolean"
        case is [Any].Type: "an array"
        default: String(describing: type).contains("Array") ? "an array" : "an object"
        }
    }

    /// `, found number` from Foundation's "Expected to decode String but found number instead."
    private static func found(_ description: String) -> String {
        guard let range = description.range(of: "but found ") else { return "" }
        let rest = description[range.upperBound...]
        let word = rest.prefix { $0.isLetter || $0 == " " }.replacingOccurrences(of: " instead", with: "")
        let trimmed = word.hasPrefix("a ") ? String(word.dropFirst(2)) : (word.hasPrefix("an ") ? String(word.dropFirst(3)) : word)
        return trimmed.isEmpty ? "" : ", found \(trimmed)"
    }
}
