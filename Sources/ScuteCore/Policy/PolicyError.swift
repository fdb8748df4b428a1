/// A policy that cannot be used, naming the field at fault (`rules[0].processes.effect: ...`).
public struct PolicyError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case syntax(String)
        case yamlSyntax(String)
        case field(path: String, reason: String)
    }

    private let kind: Kind

    static func syntax(_ message: String) -> PolicyError { PolicyError(kind: .syntax(message)) }
    static func yamlSyntax(_ message: String) -> PolicyError { PolicyError(kind: .yamlSyntax(message)) }
    static func field(_ path: String, _ reason: String) -> PolicyError { PolicyError(kind: .field(path: path, reason: reason)) }

    /// The field path the error is about (empty for a syntax error).
    public var field: String {
        if case .field(let path, _) = kind { return path }
        return ""
    }

    public var description: String {
        switch kind {
        case .syntax(let m): return "policy is not valid JSON: \(m)"
        case .yamlSyntax(let m): return "policy is not valid YAML: \(m)"
        case .field(let path, let reason): return "\(path): \(reason)"
        }
    }
}
