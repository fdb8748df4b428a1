import Foundation
import ScuteCore
import Testing

/// Runs the real defender executable on real programs, and builds the C helpers tests need.
enum Harness {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var audits: [JSONObject]
    }

    /// The scute-defender binary next to the test bundle.
    static let defender: String = {
        let exe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
        var dir = exe
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("scute-defender").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return exe.appendingPathComponent("scute-defender").path
    }()

    static let work: URL = {
        let u = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("scute-defender-tests-\(getpid())")
        try? FileManager.default.createDirectory(at: u, withIntermediateDirectories: true)
        return u
    }()

    static func tempPath(_ name: String) -> String {
        work.appendingPathComponent("\(UUID().uuidString.prefix(8))-\(name)").path
    }

    static func write(_ text: String, to name: String, executable: Bool = false) throws -> String {
        let path = tempPath(name)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        if executable { chmod(path, 0o755) }
        return path
    }

    /// Runs `defender defend` with a policy (JSON) on `command`; audits are read back from a file.
    static func defend(
        policy: String? = nil,
        _ command: [String],
        options: [String] = [],
        environment: [String: String] = [:],
        timeout: TimeInterval = 30,
        onStart: ((Process) -> Void)? = nil
    ) throws -> Result {
        var args = ["defend"]
        if let policy { args += ["--policy", try write(policy, to: "policy.json")] }
        let auditPath = tempPath("audit.jsonl")
        args += ["--audit-log", auditPath] + options + ["--"] + command
        var r = try run([defender] + args, environment: environment, timeout: timeout, onStart: onStart)
        if let text = try? String(contentsOfFile: auditPath, encoding: .utf8) {
            r.audits = text.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)).objectValue }
        }
        return r
    }

    static func run(
        _ argv: [String],
        environment: [String: String] = [:],
        timeout: TimeInterval = 30,
        onStart: ((Process) -> Void)? = nil
    ) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: argv[0])
        p.arguments = Array(argv.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        // Here "/" is the whole build machine: the background compliance scan gets a root of its own
        // only in the tests about it.
        env["SCUTE_SCAN_ROOT"] = "off"
        for (k, v) in environment { env[k] = v }
        p.environment = env
        let outPath = tempPath("stdout")
        let errPath = tempPath("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        onStart?(p)
        let deadline = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < deadline { usleep(5000) }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            Issue.record("timed out: \(argv.joined(separator: " "))")
        }
        p.waitUntilExit()
        try out.close()
        try err.close()
        let status = p.terminationReason == .uncaughtSignal ? 128 + p.terminationStatus : p.terminationStatus
        return Result(
            status: status,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "",
            audits: []
        )
    }

    private static let compileLock = NSLock()
    nonisolated(unsafe) private static var compiled: [String: String] = [:]

    /// Compiles a C program (cached per source); `flags` like ["-static"].
    static func compile(_ name: String, _ source: String, flags: [String] = ["-static"], compiler: String = "/usr/bin/cc") throws -> String {
        compileLock.lock()
        defer { compileLock.unlock() }
        let key = compiler + name + source + flags.joined()
        if let done = compiled[key] { return done }
        let src = try write(source, to: "\(name).c")
        // Programs keep their exact name: policies match on it.
        let dir = tempPath("bin")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let bin = dir + "/" + name
        let r = try run([compiler, "-O1", "-pthread", "-o", bin, src] + flags)
        guard r.status == 0 else {
            Issue.record("cc failed: \(r.stderr)")
            throw CocoaError(.fileWriteUnknown)
        }
        compiled[key] = bin
        return bin
    }

    /// A static program that creates `argv[1]` as its very first act: proof it ran an instruction.
    static func markerProgram(name: String = "marker") throws -> String {
        try compile(
            name,
            """
            #include <fcntl.h>
            #include <unistd.h>
            int main(int argc, char **argv) {
                if (argc > 1) close(open(argv[1], O_CREAT | O_WRONLY, 0644));
                return 0;
            }
            """
        )
    }

    static func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: path) }
}

extension JSONObject {
    subscript(string key: String) -> String? { self[key]?.stringValue }
}
