/// `application/x-www-form-urlencoded` and query strings: `a=1&b=2`, `+` as space, one percent pass.
enum FormParser {
    static func parse(_ bytes: ArraySlice<UInt8>, source: InputSource, prefix: String, into collector: inout InputCollector) -> DecodeFlags {
        var allFlags: DecodeFlags = []
        var start = bytes.startIndex
        while start <= bytes.endIndex {
            var end = start
            while end < bytes.endIndex && bytes[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                let pair = bytes[start..<end]
                var flags: DecodeFlags = []
                let name: [UInt8]
                let value: [UInt8]
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                    name = PercentDecoder.decode(pair[pair.startIndex..<equals], plusAsSpace: true, flags: &flags)
                    value = PercentDecoder.decode(pair[(equals + 1)...], plusAsSpace: true, flags: &flags)
                } else {
                    name = PercentDecoder.decode(pair, plusAsSpace: true, flags: &flags)
                    value = []
                }
                allFlags.formUnion(flags)
                collector.addPair(source: source, prefix: prefix, name: name, value: value, flags: flags)
                if collector.overflowed { break }
            }
            start = end + 1
        }
        return allFlags
    }
}
