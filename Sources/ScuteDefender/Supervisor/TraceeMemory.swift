import CScuteSys
import Glibc

/// Reads and writes a stopped tracee's memory and /proc files.
package struct TraceeMemory {
    package let pid: Int32

    package init(pid: Int32) { self.pid = pid }

    /// `count` bytes at `address`, falling back to /proc/PID/mem when process_vm_readv cannot.
    package func read(_ address: UInt64, count: Int) -> [UInt8]? {
        guard address != 0, count > 0 else { return nil }
        var buf = [UInt8](repeating: 0, count: count)
        let n = buf.withUnsafeMutableBytes { scute_read_memory(pid, address, $0.baseAddress, count) }
        if n == count { return buf }
        let fd = open("/proc/\(pid)/mem", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let m = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(Int64(bitPattern: address))) }
        return m == count ? buf : nil
    }

    /// Writes `bytes` at `address` (through /proc/PID/mem when the page is not writable).
    @discardableResult
    package func write(_ address: UInt64, _ bytes: [UInt8]) -> Bool {
        let n = bytes.withUnsafeBytes { scute_write_memory(pid, address, $0.baseAddress, bytes.count) }
        if n == bytes.count { return true }
        let fd = open("/proc/\(pid)/mem", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let m = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, bytes.count, off_t(Int64(bitPattern: address))) }
        return m == bytes.count
    }

    /// A NUL-terminated string at `address` (at most `limit` bytes), read page by page so a string at
    /// the end of a mapping does not fail.
    package func string(_ address: UInt64, limit: Int = 4096) -> String? {
        guard address != 0 else { return nil }
        var out: [UInt8] = []
        var addr = address
        while out.count < limit {
            let toPageEnd = Int(4096 - (addr % 4096))
            guard let chunk = read(addr, count: min(toPageEnd, limit - out.count)) else {
                return out.isEmpty ? nil : String(decoding: out, as: UTF8.self)
            }
            if let nul = chunk.firstIndex(of: 0) {
                out += chunk[..<nul]
                return String(decoding: out, as: UTF8.self)
            }
            out += chunk
            addr += UInt64(chunk.count)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A pointer-sized value (4 or 8 bytes, little-endian).
    package func pointer(_ address: UInt64, size: Int) -> UInt64? {
        guard let b = read(address, count: size) else { return nil }
        var v: UInt64 = 0
        for (i, byte) in b.enumerated() { v |= UInt64(byte) << (8 * UInt64(i)) }
        return v
    }

    /// A NULL-terminated array of string pointers (argv), at most `limit` entries.
    package func stringArray(_ address: UInt64, pointerSize: Int, limit: Int = 256) -> [String] {
        var out: [String] = []
        guard address != 0 else { return out }
        for i in 0..<limit {
            guard let p = pointer(address + UInt64(i * pointerSize), size: pointerSize), p != 0 else { break }
            out.append(string(p) ?? "")
        }
        return out
    }

    /// /proc/PID/exe.
    package var executable: String? { Sys.readLink("/proc/\(pid)/exe") }

    /// /proc/PID/cwd.
    package var workingDirectory: String? { Sys.readLink("/proc/\(pid)/cwd") }

    /// /proc/PID/cmdline as a list.
    package var commandLine: [String] {
        guard let b = Sys.readFile("/proc/\(pid)/cmdline", limit: 65536, chunk: 16384, shortReadIsEnd: true), !b.isEmpty else { return [] }
        var parts = b.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        if parts.last == "" { parts.removeLast() }
        return parts
    }

    /// AT_EXECFN from the aux vector: the file name given to execve. The vector of a 32-bit process has
    /// 4-byte entries; read as 8-byte ones its first key would be huge, which tells the two apart.
    package func execFileName() -> String? {
        guard let aux = Sys.readFile("/proc/\(pid)/auxv", limit: 8192, chunk: 8192, shortReadIsEnd: true), aux.count >= 8 else { return nil }
        func word(_ at: Int, _ size: Int) -> UInt64 {
            var v: UInt64 = 0
            for j in 0..<size { v |= UInt64(aux[at + j]) << (8 * UInt64(j)) }
            return v
        }
        let pointerSize = aux.count >= 16 && word(0, 8) < 64 ? 8 : 4
        var i = 0
        while i + 2 * pointerSize <= aux.count {
            let key = word(i, pointerSize)
            if key == 0 { break }
            if key == 31 { return string(word(i + pointerSize, pointerSize)) }  // AT_EXECFN
            i += 2 * pointerSize
        }
        return nil
    }

    /// PPid and real Uid from /proc/PID/status.
    package var parentAndUser: (ppid: Int32?, uid: UInt32?) {
        guard let b = Sys.readFile("/proc/\(pid)/status", limit: 8192) else { return (nil, nil) }
        var ppid: Int32?
        var uid: UInt32?
        for line in b.split(separator: 10) {
            let s = String(decoding: line, as: UTF8.self)
            if s.hasPrefix("PPid:") {
                ppid = Int32(s.dropFirst(5).trimmingWhitespace())
            } else if s.hasPrefix("Uid:") {
                uid = s.dropFirst(4).split(whereSeparator: { $0 == "\t" || $0 == " " }).first.flatMap { UInt32($0) }
            }
        }
        return (ppid, uid)
    }
}

extension Substring {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}

/// User names from /etc/passwd, cached (no NSS: the defender may run in an image without libc).
package final class UserNames: @unchecked Sendable {
    private var cache: [UInt32: String] = [:]

    package init() {}

    package func name(_ uid: UInt32) -> String {
        if let n = cache[uid] { return n }
        var name = String(uid)
        if let b = Sys.readFile("/etc/passwd") {
            for line in b.split(separator: 10) {
                let f = line.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
                if f.count > 2, UInt32(String(decoding: f[2], as: UTF8.self)) == uid {
                    name = String(decoding: f[0], as: UTF8.self)
                    break
                }
            }
        }
        cache[uid] = name
        return name
    }
}
