/// What decoding noticed about an input: evidence for the protocol checks.
struct DecodeFlags: OptionSet, Sendable {
    let rawValue: UInt16
    /// A `%` not followed by two hex digits.
    static let invalidEscape = DecodeFlags(rawValue: 1 << 0)
    /// A `%uXXXX` escape (IIS style).
    static let percentU = DecodeFlags(rawValue: 1 << 1)
    /// An overlong UTF-8 sequence (e.g. `%c0%af` for `/`).
    static let overlongUTF8 = DecodeFlags(rawValue: 1 << 2)
    /// Bytes that are not valid UTF-8 after decoding.
    static let invalidUTF8 = DecodeFlags(rawValue: 1 << 3)
    /// A NUL byte after decoding.
    static let nul = DecodeFlags(rawValue: 1 << 4)
    /// Percent-decoding had to run more than once.
    static let multipleEncoding = DecodeFlags(rawValue: 1 << 5)
    /// A double-encoded unreserved character (`%2541` for `A`): no client needs that.
    static let encodedUnreserved = DecodeFlags(rawValue: 1 << 6)
    /// Carriage return or line feed after decoding.
    static let lineBreak = DecodeFlags(rawValue: 1 << 7)
    /// HTML entities, JS escapes or full-width/enclosed forms were decoded.
    static let obfuscated = DecodeFlags(rawValue: 1 << 8)
    /// The decoding budget ran out (value too long or too many rounds).
    static let truncated = DecodeFlags(rawValue: 1 << 9)
}
