/// A JSON value that keeps the order of object keys and the spelling of numbers as they were read, so a
/// transform that changes one field writes everything else back as it was and a reviewer's diff shows
/// only the change.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number literal exactly as written (validated against the JSON grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The object, when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The boolean, when this is a boolean.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The number as a Double, when this is a number.
    public var doubleValue: Double? {
        if case .number(let n) = self { return Double(n) }
        return nil
    }

    /// The number as an Int, when this is a number with an integral value.
    public var intValue: Int? {
        guard case .number(let n) = self else { return nil }
        if let i = Int(n) { return i }
        if let d = Double(n), abs(d) < 9.0e15, Double(Int(d)) == d { return Int(d) }
        return nil
    }

    /// An array of strings, when this is an array whose every element is a string.
    public var stringArrayValue: [String]? {
        guard case .array(let a) = self else { return nil }
        var out: [String] = []
        out.reserveCapacity(a.count)
        for element in a {
            guard case .string(let s) = element else { return nil }
            out.append(s)
        }
        return out
    }

    /// A JSON number for an integer.
    public static func int(_ value: Int) -> JSONValue { .number(String(value)) }

    /// A JSON array of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }

    /// The name of the JSON type, for error messages.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON object: an ordered list of members with unique keys.
public struct JSONObject: Sendable, Equatable {
    /// One member of an object.
    public struct Member: Sendable, Equatable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    public private(set) var members: [Member]

    public init() { self.members = [] }

    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.members = []
        for (k, v) in pairs { self[k] = v }
    }

    public init(members: [Member]) {
        self.members = []
        for m in members { self[m.key] = m.value }
    }

    public var keys: [String] { members.map(\.key) }
    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    /// The position of a key, if present.
    public func index(of key: String) -> Int? { members.firstIndex { $0.key == key } }

    /// Reads a member; setting replaces the value in place (keeping its position), appends a new key at
    /// the end, and removes the member when set to nil.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Inserts a new key at a position (or replaces the value in place when the key exists).
    public mutating func insert(_ value: JSONValue, forKey key: String, at position: Int) {
        if let i = index(of: key) {
            members[i].value = value
        } else {
            members.insert(Member(key: key, value: value), at: min(max(0, position), members.count))
        }
    }

    /// Removes a key, returning its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = index(of: key) else { return nil }
        return members.remove(at: i).value
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(String(value)) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
    public init(nilLiteral: ()) { self = .null }
}
