/// Debian control-file paragraphs (`Key: value`, continuation lines start with a space, blank lines separate).
enum ControlParagraphs {
    /// The paragraphs of `text`; keys keep their case, continuation lines are joined with newlines.
    static func parse(_ text: String) -> [[String: String]] {
        var paragraphs: [[String: String]] = []
        var current: [String: String] = [:]
        var lastKey: String?
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
                if !current.isEmpty { paragraphs.append(current) }
                current = [:]
                lastKey = nil
                continue
            }
            if line.first == " " || line.first == "\t" {
                if let key = lastKey { current[key, default: ""] += "\n" + line.dropFirst() }
                continue
            }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = String(line[..<colon])
            let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
            current[key] = String(value)
            lastKey = key
        }
        if !current.isEmpty { paragraphs.append(current) }
        return paragraphs
    }
}
