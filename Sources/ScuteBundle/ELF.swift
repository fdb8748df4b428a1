/// Just enough ELF reading to tell whether an executable needs a dynamic loader.
public enum ELF {
    /// Whether the bytes are a 64-bit little-endian ELF executable with no PT_INTERP program header, so it
    /// runs in a root file system without a libc or loader. Nil when the bytes are not such an ELF file.
    public static func isStaticExecutable(_ bytes: [UInt8]) -> Bool? {
        guard bytes.count >= 64, bytes[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]), bytes[4] == 2, bytes[5] == 1 else {
            return nil
        }
        func u16(_ o: Int) -> Int { Int(bytes[o]) | Int(bytes[o + 1]) << 8 }
        func u64(_ o: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * $1) } }
        let phoff = u64(32)
        let phentsize = u16(54)
        let phnum = u16(56)
        guard phentsize >= 4, phoff + phnum * phentsize <= bytes.count else { return nil }
        for i in 0..<phnum {
            let type = (0..<4).reduce(0) { $0 | Int(bytes[phoff + i * phentsize + $1]) << (8 * $1) }
            if type == 3 { return false }  // PT_INTERP
        }
        return true
    }

    /// The architecture of an ELF file in Docker's platform spelling (`amd64`, `arm64`, ...), nil when the
    /// bytes are not ELF or the machine is one Scute does not know.
    public static func architecture(_ bytes: [UInt8]) -> String? {
        guard bytes.count >= 20, bytes[0..<4].elementsEqual([0x7F, 0x45, 0x4C, 0x46]) else { return nil }
        let machine = Int(bytes[18]) | Int(bytes[19]) << 8
        switch machine {
        case 62: return "amd64"
        case 183: return "arm64"
        case 3: return "386"
        case 40: return "arm"
        case 243: return "riscv64"
        case 21: return "ppc64le"
        case 22: return "s390x"
        default: return nil
        }
    }
}
