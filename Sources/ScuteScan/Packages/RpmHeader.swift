/// An rpm package header as rpmdb.sqlite stores it: an index of (tag, type, offset, count) entries and a data
/// store, all big-endian, without the 8-byte magic of a header in a package file.
struct RpmHeader {
    enum Tag: Int32 {
        case name = 1000
        case version = 1001
        case release = 1002
        case epoch = 1003
        case fileModes = 1030
        case fileDigests = 1035
        case fileFlags = 1037
        case sourceRPM = 1044
        case dirIndexes = 1116
        case baseNames = 1117
        case dirNames = 1118
        case fileDigestAlgorithm = 5011
    }

    private struct Entry {
        let type: Int32
        let offset: Int
        let count: Int
    }

    private let entries: [Int32: Entry]
    private let store: ArraySlice<UInt8>

    /// Parses a header blob; throws when its index or data store is out of bounds.
    init(blob: [UInt8]) throws(ScanError) {
        guard blob.count >= 8 else { throw .corrupt("rpm header shorter than 8 bytes") }
        let indexCount = Int(Self.uint32(blob, 0))
        let dataLength = Int(Self.uint32(blob, 4))
        let storeStart = 8 + indexCount * 16
        guard indexCount < 1 << 16, dataLength < 1 << 28, storeStart + dataLength <= blob.count else {
            throw .corrupt("rpm header index (\(indexCount) entries, \(dataLength) bytes) larger than its blob (\(blob.count) bytes)")
        }
        var entries: [Int32: Entry] = [:]
        for index in 0..<indexCount {
            let base = 8 + index * 16
            let tag = Int32(bitPattern: Self.uint32(blob, base))
            let entry = Entry(
                type: Int32(bitPattern: Self.uint32(blob, base + 4)),
                offset: Int(Int32(bitPattern: Self.uint32(blob, base + 8))),
                count: Int(Self.uint32(blob, base + 12))
            )
            guard entry.offset >= 0, entry.offset <= dataLength else { throw .corrupt("rpm header tag \(tag) points outside the data") }
            entries[tag] = entry
        }
        self.entries = entries
        self.store = blob[storeStart..<(storeStart + dataLength)]
    }

    /// A STRING, or the first string of a STRING_ARRAY / I18NSTRING.
    func string(_ tag: Tag) -> String? {
        strings(tag).first
    }

    /// The strings of a STRING, STRING_ARRAY or I18NSTRING entry.
    func strings(_ tag: Tag) -> [String] {
        guard let entry = entries[tag.rawValue], [6, 8, 9].contains(entry.type) else { return [] }
        let wanted = entry.type == 6 ? 1 : entry.count
        var result: [String] = []
        result.reserveCapacity(wanted)
        var position = store.startIndex + entry.offset
        while result.count < wanted && position < store.endIndex {
            guard let end = store[position...].firstIndex(of: 0) else { break }
            result.append(String(decoding: store[position..<end], as: UTF8.self))
            position = end + 1
        }
        return result
    }

    /// The numbers of an INT8, INT16 or INT32 entry.
    func integers(_ tag: Tag) -> [Int] {
        guard let entry = entries[tag.rawValue] else { return [] }
        let width: Int
        switch entry.type {
        case 2: width = 1
        case 3: width = 2
        case 4: width = 4
        default: return []
        }
        let start = store.startIndex + entry.offset
        guard entry.count >= 0, start + entry.count * width <= store.endIndex else { return [] }
        return (0..<entry.count).map { index in
            let at = start + index * width
            switch width {
            case 1: return Int(store[at])
            case 2: return Int(UInt16(store[at]) << 8 | UInt16(store[at + 1]))
            default: return Int(Int32(bitPattern: Self.uint32(store, at - store.startIndex)))
            }
        }
    }

    private static func uint32(_ bytes: some RandomAccessCollection<UInt8>, _ offset: Int) -> UInt32 {
        let start = bytes.index(bytes.startIndex, offsetBy: offset)
        var value: UInt32 = 0
        for index in 0..<4 { value = value << 8 | UInt32(bytes[bytes.index(start, offsetBy: index)]) }
        return value
    }
}
