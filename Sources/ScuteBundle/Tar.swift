/// A minimal ustar archive: regular files and directories, written with zero timestamps and root
/// ownership so the same files always give the same bytes.
public enum Tar {
    /// One archive member.
    public struct Entry: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            case file
            case directory
        }

        public var path: String
        public var mode: UInt32
        public var kind: Kind
        public var data: [UInt8]

        public init(path: String, mode: UInt32, kind: Kind = .file, data: [UInt8] = []) {
            self.path = path
            self.mode = mode
            self.kind = kind
            self.data = data
        }
    }

    /// Writes an archive.
    public static func write(_ entries: [Entry]) throws(BundleError) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries {
            var name = Array(entry.path.utf8)
            if entry.kind == .directory && name.last != UInt8(ascii: "/") { name.append(UInt8(ascii: "/")) }
            guard name.count <= 100 else { throw .io("tar: path longer than 100 bytes: \(entry.path)") }
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ bytes: [UInt8], at offset: Int) {
                for (i, b) in bytes.enumerated() { header[offset + i] = b }
            }
            func octal(_ value: Int, width: Int) -> [UInt8] {
                let digits = String(value, radix: 8)
                return Array((String(repeating: "0", count: max(0, width - 1 - digits.count)) + digits).utf8) + [0]
            }
            put(name, at: 0)
            put(octal(Int(entry.mode & 0o7777), width: 8), at: 100)
            put(octal(0, width: 8), at: 108)
            put(octal(0, width: 8), at: 116)
            put(octal(entry.kind == .file ? entry.data.count : 0, width: 12), at: 124)
            put(octal(0, width: 12), at: 136)
            put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148)
            header[156] = entry.kind == .file ? UInt8(ascii: "0") : UInt8(ascii: "5")
            put(Array("ustar".utf8) + [0], at: 257)
            put(Array("00".utf8), at: 263)
            put(Array("root".utf8), at: 265)
            put(Array("root".utf8), at: 297)
            let sum = header.reduce(0) { $0 + Int($1) }
            put(Array(octal(sum, width: 7)) + [UInt8(ascii: " ")], at: 148)
            out += header
            if entry.kind == .file {
                out += entry.data
                let pad = (512 - entry.data.count % 512) % 512
                out += [UInt8](repeating: 0, count: pad)
            }
        }
        out += [UInt8](repeating: 0, count: 1024)
        return out
    }

    /// Reads an archive (ustar and GNU/pax basics: regular files and directories; links and other members
    /// are rejected, pax headers skipped).
    public static func read(_ bytes: [UInt8]) throws(BundleError) -> [Entry] {
        var entries: [Entry] = []
        var offset = 0
        while offset + 512 <= bytes.count {
            let header = Array(bytes[offset..<offset + 512])
            if header.allSatisfy({ $0 == 0 }) { break }
            let stored = try number(header[148..<156])
            let sum = header.enumerated().reduce(0) { $0 + (148..<156 ~= $1.offset ? 32 : Int($1.element)) }
            guard stored == sum else { throw .corrupt("tar: bad header checksum at offset \(offset)") }
            var name = string(header[0..<100])
            let prefix = string(header[345..<500])
            if header[257..<262].elementsEqual("ustar".utf8), !prefix.isEmpty { name = prefix + "/" + name }
            let size = try number(header[124..<136])
            let mode = UInt32(try number(header[100..<108]))
            let type = header[156]
            let dataStart = offset + 512
            guard dataStart + size <= bytes.count else { throw .corrupt("tar: member \(name) is truncated") }
            let data = Array(bytes[dataStart..<dataStart + size])
            offset = dataStart + (size + 511) / 512 * 512
            switch type {
            case UInt8(ascii: "0"), 0:
                entries.append(Entry(path: name, mode: mode, kind: .file, data: data))
            case UInt8(ascii: "5"):
                entries.append(Entry(path: name, mode: mode, kind: .directory))
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                continue
            default:
                throw .corrupt("tar: member \(name) has type '\(Character(Unicode.Scalar(type)))'; only files and directories are allowed")
            }
        }
        return entries
    }

    private static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }

    private static func number(_ field: ArraySlice<UInt8>) throws(BundleError) -> Int {
        let text = string(field).filter { $0 != " " }
        if text.isEmpty { return 0 }
        guard let value = Int(text, radix: 8) else { throw .corrupt("tar: bad number field \"\(text)\"") }
        return value
    }
}
