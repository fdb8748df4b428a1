/// The `Cookie` header: `a=1; b="2"`; each cookie becomes `cookie:name`.
enum CookieParser {
    static func parse(_ header: [UInt8], into collector: inout InputCollector) {
        var start = 0
        while start <= header.count {
            var end = start
            while end < header.count && header[end] != UInt8(ascii: ";") { end += 1 }
            var low = start
            var high = end
            while low < high && ByteClass.isSpace(header[low]) { low += 1 }
            while high > low && ByteClass.isSpace(header[high - 1]) { high -= 1 }
            if high > low {
                let pair = header[low..<high]
                var name: ArraySlice<UInt8> = pair
                var value: ArraySlice<UInt8> = []
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                    name = pair[pair.startIndex..<equals]
                    value = pair[(equals + 1)...]
                    if value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") {
                        value = value.dropFirst().dropLast()
                    }
                }
                var flags: DecodeFlags = []
                let decodedName = PercentDecoder.decode(name, plusAsSpace: false, flags: &flags)
                collector.addPair(source: .cookie, prefix: "cookie", name: decodedName, value: Array(value), flags: [])
                if collector.overflowed { return }
            }
            start = end + 1
        }
    }
}
