/// Token classes of the SQL tokenizer; the raw values spell the fingerprint (as in libinjection's notation).
enum SQLKind: UInt8, Sendable {
    case string = 0x73  // s
    case number = 0x31  // 1
    case bareword = 0x6E  // n
    case variable = 0x76  // v
    case keyword = 0x6B  // k
    case union = 0x55  // U
    case statement = 0x45  // E
    case logic = 0x26  // &
    case op = 0x6F  // o
    case function = 0x66  // f
    case leftParen = 0x28  // (
    case rightParen = 0x29  // )
    case comma = 0x2C  // ,
    case semicolon = 0x3B  // ;
    case comment = 0x63  // c
    case unknown = 0x3F  // ?
}

/// Finer roles of operators and words that the grammar checks need.
struct SQLRole: OptionSet, Sendable {
    let rawValue: UInt16
    static let comparison = SQLRole(rawValue: 1 << 0)
    static let arithmetic = SQLRole(rawValue: 1 << 1)
    static let cast = SQLRole(rawValue: 1 << 2)
    static let json = SQLRole(rawValue: 1 << 3)
    static let unary = SQLRole(rawValue: 1 << 4)
    /// A function name found only in SQL (group_concat, pg_sleep...): a call is evidence on its own.
    static let sqlOnlyFunction = SQLRole(rawValue: 1 << 5)
    /// A function name that is also an everyday word (floor, left, user): needs SQL-looking arguments.
    static let commonFunction = SQLRole(rawValue: 1 << 6)
    /// A type name usable after `::`.
    static let typeName = SQLRole(rawValue: 1 << 7)
    /// `order`, `group`: need `by`.
    static let needsBy = SQLRole(rawValue: 1 << 8)
    /// Clause keywords that only make sense after an injected quote: having, limit, procedure, into.
    static let clause = SQLRole(rawValue: 1 << 9)
    /// Literal keywords (null, true, false) that act as numbers.
    static let literal = SQLRole(rawValue: 1 << 10)
    /// `(` came directly after the function name, without whitespace.
    static let adjacentParen = SQLRole(rawValue: 1 << 11)
    /// The token was preceded by `.`, `->` or `::` (a method or member, not a SQL call).
    static let member = SQLRole(rawValue: 1 << 12)
    /// A string literal that runs to the end of the input (the application closes it).
    static let open = SQLRole(rawValue: 1 << 13)
    /// Table-object words after DROP/CREATE/ALTER/TRUNCATE.
    static let objectType = SQLRole(rawValue: 1 << 14)
    /// A backtick-quoted identifier.
    static let quotedIdentifier = SQLRole(rawValue: 1 << 15)
}

struct SQLToken: Sendable {
    var kind: SQLKind
    var role: SQLRole
    var start: Int
    var end: Int
    /// The lowercased word for words, empty otherwise.
    var word: ArraySlice<UInt8>
}
