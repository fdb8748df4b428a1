/// Where a named input came from; detectors weigh evidence differently per source.
enum InputSource: UInt8, Sendable {
    case path
    case query
    case form
    case multipart
    case filename
    case json
    case xml
    case cookie
    case header
    case body
}

/// One named input the detectors look at: a parameter, cookie, header, JSON string, path...
struct Input: Sendable {
    /// The finding location, e.g. `query:id`.
    var location: String
    var source: InputSource
    /// True for a parameter, cookie or JSON key name rather than a value.
    var isName: Bool
    /// The bytes after the parser's own decoding (one percent pass for query and form data).
    var bytes: [UInt8]
    /// Header name (for headers) or parameter name, lowercased; used by a few context rules.
    var key: [UInt8]
    /// Percent-decoding flags from the parser's pass (for the protocol checks).
    var parseFlags: DecodeFlags = []
}

/// Collects inputs up to a bound, noting when the bound was hit.
struct InputCollector {
    private(set) var inputs: [Input] = []
    private(set) var overflowed = false
    let limit: Int

    init(limit: Int) {
        self.limit = limit
        inputs.reserveCapacity(min(limit, 32))
    }

    mutating func add(_ input: Input) {
        guard inputs.count < limit else {
            overflowed = true
            return
        }
        inputs.append(input)
    }

    /// Adds a name/value pair from `source` under `prefix:name`.
    mutating func addPair(source: InputSource, prefix: String, name: [UInt8], value: [UInt8], flags: DecodeFlags) {
        let location = prefix + ":" + LocationText.sanitize(name)
        let key = name.asciiLowercased()
        if !name.isEmpty {
            add(Input(location: location, source: source, isName: true, bytes: name, key: key, parseFlags: flags))
        }
        add(Input(location: location, source: source, isName: false, bytes: value, key: key, parseFlags: flags))
    }
}

/// Printable, bounded text for locations and excerpts.
enum LocationText {
    static let maxNameLength = 64

    /// The name as printable ASCII (others as `?`), at most 64 bytes.
    static func sanitize(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(min(bytes.count, maxNameLength))
        for byte in bytes.prefix(maxNameLength) {
            output.append(byte >= 0x20 && byte < 0x7F ? byte : UInt8(ascii: "?"))
        }
        return String(decoding: output, as: UTF8.self)
    }
}
