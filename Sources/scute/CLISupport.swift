import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A command-line error: printed as `error: message` and exit status 1, never a crash or partial output.
struct CLIError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }

    /// Runs a command body, turning any error into a clear message and exit status 1.
    static func reporting(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as CLIError {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        } catch let error as FileIO.Failure {
            FileIO.printError("error: \(error.message)")
            throw ExitCode(1)
        }
    }
}

/// Small file helpers over the C library, so the CLI needs no Foundation for plain file work.
enum FileIO {
    struct Failure: Error {
        let message: String
    }

    /// Reads a whole file ("-" is standard input) as UTF-8 text.
    static func readText(_ path: String) throws(Failure) -> String {
        let bytes = try readBytes(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Failure(message: "\(path == "-" ? "standard input" : path): not UTF-8 text")
        }
        return text
    }

    static func readBytes(_ path: String) throws(Failure) -> [UInt8] {
        let fd: Int32 = path == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw Failure(message: "\(path): \(String(cString: strerror(errno)))") }
        defer { if fd != 0 { close(fd) } }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(message: "\(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }

    /// Writes text to a file atomically (a temporary file renamed over the target), or to standard output.
    static func writeText(_ text: String, to path: String?) throws(Failure) {
        try writeBytes(Array(text.utf8), to: path)
    }

    static func writeBytes(_ bytes: [UInt8], to path: String?) throws(Failure) {
        guard let path, path != "-" else {
            try writeAll(1, bytes, name: "standard output")
            return
        }
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw Failure(message: "\(path): \(String(cString: strerror(errno)))") }
        do {
            try writeAll(fd, bytes, name: path)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        if rename(temp, path) != 0 {
            let message = String(cString: strerror(errno))
            unlink(temp)
            throw Failure(message: "\(path): \(message)")
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], name: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(message: "\(name): \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }

    static func printError(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    }

    static func warn(_ message: String) { printError("warning: \(message)") }
}

extension String {
    func trimmingWhitespace() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
