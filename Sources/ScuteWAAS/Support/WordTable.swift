/// A read-only map from short lowercase words to values: open addressing on an FNV-1a hash, looked up by
/// byte slice without allocating or going through `Hasher`.
struct WordTable<Value: Sendable>: Sendable {
    private var hashes: [UInt64]
    private var words: [[UInt8]]
    private var values: [Value?]
    private let mask: Int

    init(_ pairs: [(String, Value)]) {
        var capacity = 64
        while capacity < pairs.count * 4 { capacity *= 2 }
        mask = capacity - 1
        hashes = [UInt64](repeating: 0, count: capacity)
        words = [[UInt8]](repeating: [], count: capacity)
        values = [Value?](repeating: nil, count: capacity)
        for (word, value) in pairs {
            let bytes = Array(word.utf8)
            let hash = WordTable.hash(bytes[...])
            var slot = Int(truncatingIfNeeded: hash) & mask
            while values[slot] != nil && words[slot] != bytes { slot = (slot + 1) & mask }
            hashes[slot] = hash
            words[slot] = bytes
            values[slot] = value
        }
    }

    @inline(__always) func lookup(_ word: ArraySlice<UInt8>) -> Value? {
        guard !word.isEmpty && word.count <= 40 else { return nil }
        let hash = WordTable.hash(word)
        var slot = Int(truncatingIfNeeded: hash) & mask
        while let value = values[slot] {
            if hashes[slot] == hash && words[slot].elementsEqual(word) { return value }
            slot = (slot + 1) & mask
        }
        return nil
    }

    @inline(__always) static func hash(_ word: ArraySlice<UInt8>) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in word { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return value
    }
}
