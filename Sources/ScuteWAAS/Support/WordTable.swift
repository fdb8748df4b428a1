/// A read-only map from short lowercase words to values, looked up by byte slice without allocating.
struct WordTable<Value: Sendable>: Sendable {
    private var entries: [UInt64: (word: [UInt8], value: Value)] = [:]

    init(_ pairs: [(String, Value)]) {
        for (word, value) in pairs {
            let bytes = Array(word.utf8)
            entries[WordTable.hash(bytes[...])] = (bytes, value)
        }
    }

    func lookup(_ word: ArraySlice<UInt8>) -> Value? {
        guard !word.isEmpty && word.count <= 40, let found = entries[WordTable.hash(word)], found.word.elementsEqual(word) else { return nil }
        return found.value
    }

    static func hash(_ word: ArraySlice<UInt8>) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in word { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return value
    }
}
