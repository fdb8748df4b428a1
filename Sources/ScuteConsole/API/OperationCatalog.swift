import ScuteConsoleAPI
import ScuteCore
import ScuteStore

/// What the OpenAPI document says about each operation that the generated server does not enforce, or
/// enforces without naming the parameter: which query parameters exist (unknown ones are refused), which are
/// required, and the enums, integers and times their values must be.
struct OperationCatalog: Sendable {
    struct Operation: Sendable, Equatable {
        var method: String
        var path: String
        var secured: Bool
        var hasBody: Bool
        /// Query parameters by name.
        var query: [String: QueryParameter]
    }

    /// A query parameter's schema, as far as the generated decoder would refuse a value without naming it.
    struct QueryParameter: Sendable, Equatable {
        var required: Bool
        var integer: Bool
        var dateTime: Bool
        var allowed: [String]?

        init(_ parameter: JSONObject) {
            required = parameter["required"] == .bool(true)
            var schema = parameter["schema"]?.objectValue ?? JSONObject()
            if schema["type"]?.stringValue == "array", let items = schema["items"]?.objectValue { schema = items }
            integer = schema["type"]?.stringValue == "integer"
            dateTime = schema["format"]?.stringValue == "date-time"
            allowed = schema["enum"]?.stringArrayValue
        }

        /// Why `value` does not fit, or nil.
        func problem(with value: Substring) -> String? {
            if let allowed, !allowed.contains(String(value)) { return "must be one of \(allowed.joined(separator: ", "))" }
            if integer, Int(value) == nil { return "expected an integer" }
            if dateTime, RFC3339.nanoseconds(String(value)) == nil {
                return "expected an RFC 3339 time such as 2026-01-31T12:00:00Z"
            }
            return nil
        }
    }

    let operations: [String: Operation]

    /// Reads the document the generator read.
    static let document: OperationCatalog = {
        do {
            return try OperationCatalog(document: JSONValue.parse(bytes: OpenAPIDocument.bytes))
        } catch {
            // The build plugin has parsed the same bytes, so this cannot happen in a built console.
            fatalError("openapi.json does not parse: \(error)")
        }
    }()

    init(document: JSONValue) {
        var operations: [String: Operation] = [:]
        for path in document.objectValue?["paths"]?.objectValue?.members ?? [] {
            let item = path.value.objectValue
            for member in item?.members ?? [] where member.key != "parameters" {
                guard let op = member.value.objectValue, let id = op["operationId"]?.stringValue else { continue }
                var query: [String: QueryParameter] = [:]
                let parameters = (item?["parameters"]?.arrayValue ?? []) + (op["parameters"]?.arrayValue ?? [])
                for p in parameters where p.objectValue?["in"]?.stringValue == "query" {
                    guard let object = p.objectValue, let name = object["name"]?.stringValue else { continue }
                    query[name] = QueryParameter(object)
                }
                operations[id] = Operation(
                    method: member.key.uppercased(),
                    path: path.key,
                    secured: op["security"]?.arrayValue?.isEmpty != true,
                    hasBody: op["requestBody"] != nil,
                    query: query
                )
            }
        }
        self.operations = operations
    }
}
