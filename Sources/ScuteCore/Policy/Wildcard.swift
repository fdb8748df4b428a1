/// A pattern where `*` matches any run of characters (including none) and every other character matches
/// itself. Used for collection fields, process names and domain names.
public struct Wildcard: Sendable, Equatable, Hashable, CustomStringConvertible {
    /// The pattern as written.
    public let pattern: String
    private let scalars: [Unicode.Scalar]
    private let caseInsensitive: Bool

    /// A pattern; `caseInsensitive` folds ASCII letters on both sides.
    public init(_ pattern: String, caseInsensitive: Bool = false) {
        self.pattern = pattern
        self.caseInsensitive = caseInsensitive
        self.scalars = Array((caseInsensitive ? Self.asciiLowercased(pattern) : pattern).unicodeScalars)
    }

    public var description: String { pattern }

    /// Whether the whole of `text` matches.
    public func matches(_ text: String) -> Bool {
        let t = Array((caseInsensitive ? Self.asciiLowercased(text) : text).unicodeScalars)
        // Iterative glob with single-star backtracking: linear in practice, no recursion.
        var p = 0
        var s = 0
        var starP = -1
        var starS = 0
        while s < t.count {
            if p < scalars.count && scalars[p] != "*" && scalars[p] == t[s] {
                p += 1
                s += 1
            } else if p < scalars.count && scalars[p] == "*" {
                starP = p
                starS = s
                p += 1
            } else if starP >= 0 {
                p = starP + 1
                starS += 1
                s = starS
            } else {
                return false
            }
        }
        while p < scalars.count && scalars[p] == "*" { p += 1 }
        return p == scalars.count
    }

    static func asciiLowercased(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            if u.value >= 65 && u.value <= 90 {
                out.append(Unicode.Scalar(u.value + 32)!)
            } else {
                out.append(u)
            }
        }
        return String(out)
    }
}
