/// Log4j lookups: nested `${...}` are resolved the way Log4j resolves them (`${::-j}` is `j`, `${lower:N}` is `n`,
/// `${env:X:-d}` is `d`) until a `${jndi:` appears or nothing changes.
enum Log4ShellDetector {
    static func detect(_ text: [UInt8]) -> DetectorHit? {
        guard let first = text.firstIndex(ofLowercase: "${") else { return nil }
        var current = Array(text[first..<min(text.count, first + 4096)])
        for _ in 0..<24 {
            // Innermost lookup: a `${` with no `${` before its `}`.
            guard let (open, close) = innermost(current) else { return nil }
            let body = current[(open + 2)..<close]
            if body.starts(with: "jndi:".utf8) || body.starts(with: "jndi".utf8) && body.count == 4 {
                return DetectorHit(.javaLog4Shell, first, min(first + 40, text.count))
            }
            var replacement: ArraySlice<UInt8> = []
            if let fallback = body.firstIndex(ofBytesSlice: ":-").map({ body.startIndex + $0 }) {
                replacement = body[(fallback + 2)...]
            } else if body.starts(with: "lower:".utf8) || body.starts(with: "upper:".utf8) {
                replacement = body.dropFirst(6)
            } else if let colon = body.firstIndex(of: UInt8(ascii: ":")), body[body.startIndex..<colon].allSatisfy(ByteClass.isLetter) {
                replacement = body[(colon + 1)...]
                // `${env:X}` and friends resolve to something the attacker does not control: keep only fallbacks.
                if ["env", "sys", "java", "date", "ctx", "main", "map", "sd", "web", "docker", "k8s", "spring", "log4j", "marker", "bundle"]
                    .contains(where: { body[body.startIndex..<colon].elementsEqual($0.utf8) })
                {
                    replacement = []
                }
            }
            current.replaceSubrange(open...close, with: replacement)
        }
        return nil
    }

    private static func innermost(_ text: [UInt8]) -> (Int, Int)? {
        var open: Int?
        var index = 0
        while index + 1 < text.count {
            if text[index] == UInt8(ascii: "$"), text[index + 1] == UInt8(ascii: "{") {
                open = index
                index += 2
                continue
            }
            if text[index] == UInt8(ascii: "}"), let start = open { return (start, index) }
            index += 1
        }
        if let start = open, text.count > start + 2 {
            // An unclosed lookup still names its lookup.
            return (start, text.count - 1 > start + 1 ? text.count - 1 : start + 2)
        }
        return nil
    }
}
