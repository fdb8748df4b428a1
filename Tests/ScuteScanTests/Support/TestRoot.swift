import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A throw-away root folder under /tmp, removed on deinit.
final class TestRoot {
    let path: String

    init() {
        var template = Array("/tmp/scute-scan-test.XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { _ = try? run("/bin/rm", ["-rf", path]) }

    /// Writes `bytes` at `relative` (folders created), with `mode`.
    @discardableResult
    func write(_ relative: String, _ bytes: [UInt8], mode: mode_t = 0o644) -> String {
        let full = path + "/" + relative
        makeFolder(relative.folder)
        let fd = open(full, O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(fd >= 0, "cannot create \(full)")
        bytes.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        fchmod(fd, mode)
        close(fd)
        return full
    }

    @discardableResult
    func write(_ relative: String, _ text: String, mode: mode_t = 0o644) -> String {
        write(relative, Array(text.utf8), mode: mode)
    }

    func append(_ relative: String, _ bytes: [UInt8]) {
        let fd = open(path + "/" + relative, O_WRONLY | O_APPEND)
        precondition(fd >= 0)
        bytes.withUnsafeBytes { _ = Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    func read(_ relative: String) -> [UInt8] {
        let fd = open(path + "/" + relative, O_RDONLY)
        precondition(fd >= 0, "cannot read \(relative)")
        defer { close(fd) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count <= 0 { break }
            out += chunk[0..<count]
        }
        return out
    }

    func makeFolder(_ relative: String) {
        var current = path
        for part in relative.split(separator: "/") {
            current += "/" + part
            mkdir(current, 0o755)
        }
    }

    func symlink(_ relative: String, to target: String) {
        makeFolder(relative.folder)
        Glibc.symlink(target, path + "/" + relative)
    }

    func remove(_ relative: String) { unlink(path + "/" + relative) }
}

extension String {
    /// The folder part of a relative path.
    var folder: String {
        guard let slash = lastIndex(of: "/") else { return "" }
        return String(self[..<slash])
    }
}

/// Runs a program, returns its standard output; throws when it exits non-zero.
@discardableResult
func run(_ program: String, _ arguments: [String], environment: [String: String] = [:], input: String? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: program)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    let inputPipe = Pipe()
    if input != nil { process.standardInput = inputPipe }
    try process.run()
    if let input {
        inputPipe.fileHandleForWriting.write(Data(input.utf8))
        try inputPipe.fileHandleForWriting.close()
    }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw TestFailure("\(program) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)")
    }
    return String(decoding: data, as: UTF8.self)
}

/// The path of a program on PATH, or nil.
func which(_ program: String) -> String? {
    for folder in ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin", "/usr/lib/go/bin"] where access(folder + "/" + program, X_OK) == 0 {
        return folder + "/" + program
    }
    return nil
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
