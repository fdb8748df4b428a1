/// Walks a JSON body, emitting every key and string value as `json:$.path` inputs; bounded depth and count.
struct JSONWalker {
    private let bytes: [UInt8]
    private var index = 0
    private let maxDepth: Int
    private var path: [UInt8] = Array("$".utf8)

    /// Parses `bytes`; returns false when the document is not valid JSON (inputs found so far are kept).
    static func walk(_ bytes: [UInt8], maxDepth: Int, into collector: inout InputCollector) -> Bool {
        var walker = JSONWalker(bytes: bytes, maxDepth: maxDepth)
        walker.skipSpace()
        guard walker.value(depth: 0, collector: &collector) else { return false }
        walker.skipSpace()
        return walker.index == bytes.count
    }

    private init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    private mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
            index += 1
        }
    }

    private var location: String { "json:" + String(decoding: path.prefix(160), as: UTF8.self) }

    private mutating func value(depth: Int, collector: inout InputCollector) -> Bool {
        guard depth <= maxDepth, index < bytes.count, !collector.overflowed else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return object(depth: depth, collector: &collector)
        case UInt8(ascii: "["):
            return array(depth: depth, collector: &collector)
        case UInt8(ascii: "\""):
            guard let text = string() else { return false }
            collector.add(Input(location: location, source: .json, isName: false, bytes: text, key: lastKey()))
            return true
        default:
            return scalar()
        }
    }

    private mutating func object(depth: Int, collector: inout InputCollector) -> Bool {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return true
        }
        while true {
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\""), let key = string() else { return false }
            let saved = path.count
            path.append(UInt8(ascii: "."))
            path.append(contentsOf: key.prefix(LocationText.maxNameLength).map { $0 >= 0x20 && $0 < 0x7F ? $0 : UInt8(ascii: "?") })
            collector.add(Input(location: location, source: .json, isName: true, bytes: key, key: key.asciiLowercased()))
            skipSpace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
            index += 1
            skipSpace()
            guard value(depth: depth + 1, collector: &collector) else { return false }
            path.removeSubrange(saved...)
            skipSpace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "}") {
                index += 1
                return true
            }
            return false
        }
    }

    private mutating func array(depth: Int, collector: inout InputCollector) -> Bool {
        index += 1
        skipSpace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return true
        }
        var element = 0
        while true {
            skipSpace()
            let saved = path.count
            path.append(contentsOf: Array("[\(element)]".utf8))
            guard value(depth: depth + 1, collector: &collector) else { return false }
            path.removeSubrange(saved...)
            element += 1
            skipSpace()
            guard index < bytes.count else { return false }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            if bytes[index] == UInt8(ascii: "]") {
                index += 1
                return true
            }
            return false
        }
    }

    private mutating func scalar() -> Bool {
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if ByteClass.isWord(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") {
                index += 1
            } else {
                break
            }
        }
        guard index > start else { return false }
        let token = bytes[start..<index]
        if token.elementsEqual("true".utf8) || token.elementsEqual("false".utf8) || token.elementsEqual("null".utf8) { return true }
        let first = token.first!
        return ByteClass.isDigit(first) || first == UInt8(ascii: "-")
    }

    private func lastKey() -> [UInt8] {
        guard let dot = path.lastIndex(of: UInt8(ascii: ".")) else { return [] }
        return Array(path[(dot + 1)...]).asciiLowercased()
    }

    /// A JSON string at `index` (which holds the opening quote), unescaped.
    private mutating func string() -> [UInt8]? {
        index += 1
        var output: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return output
            }
            if byte != UInt8(ascii: "\\") {
                output.append(byte)
                index += 1
                continue
            }
            guard index + 1 < bytes.count else { return nil }
            let escaped = bytes[index + 1]
            index += 2
            switch escaped {
            case UInt8(ascii: "n"): output.append(0x0A)
            case UInt8(ascii: "r"): output.append(0x0D)
            case UInt8(ascii: "t"): output.append(0x09)
            case UInt8(ascii: "b"): output.append(0x08)
            case UInt8(ascii: "f"): output.append(0x0C)
            case UInt8(ascii: "u"):
                guard var scalar = PercentDecoder.hex4(bytes[...], at: index) else { return nil }
                index += 4
                if scalar >= 0xD800 && scalar < 0xDC00, index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u"), let low = PercentDecoder.hex4(bytes[...], at: index + 2),
                    low >= 0xDC00 && low < 0xE000
                {
                    scalar = 0x10000 + (scalar - 0xD800) << 10 + (low - 0xDC00)
                    index += 6
                }
                PercentDecoder.appendUTF8(scalar, to: &output)
            default: output.append(escaped)
            }
        }
        return nil
    }
}
