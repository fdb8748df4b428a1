#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A program `scute demo` runs, in its own process group (so Ctrl-C reaches only the demo, which stops
/// its children in order), with its output appended to a log file. posix_spawn directly: Foundation's
/// Process does not say which process group its children get.
struct ChildProcess {
    let name: String
    let pid: pid_t
    let log: String

    /// Starts `arguments` (the first is the program's path) with `environment` added to this process's.
    static func spawn(name: String, _ arguments: [String], log: String, environment extra: [String: String] = [:]) throws(CLIError) -> ChildProcess {
        let out = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard out >= 0 else { throw CLIError("\(log): \(String(cString: strerror(errno)))") }
        defer { close(out) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out, 1)
        posix_spawn_file_actions_adddup2(&actions, out, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGINT)
        sigaddset(&defaults, SIGTERM)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var env: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") { env[String(text[..<equals])] = String(text[text.index(after: equals)...]) }
            cursor += 1
        }
        env.merge(extra) { _, new in new }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard status == 0 else { throw CLIError("could not start \(arguments[0]): \(String(cString: strerror(status)))") }
        return ChildProcess(name: name, pid: pid, log: log)
    }

    /// Whether it has exited (reaping it); its status then.
    func exited() -> Int32? {
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        guard result == pid || (result < 0 && errno == ECHILD) else { return nil }
        return (status & 0x7f) == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    /// Sends `signal` to its process group, waits up to `grace` seconds, then kills the group. Returns once
    /// it is gone.
    func stop(_ signal: Int32, grace: Int) {
        guard exited() == nil else { return }
        kill(-pid, signal)
        for _ in 0..<(grace * 10) {
            if exited() != nil { return }
            usleep(100_000)
        }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }

    /// The last `count` lines of its log.
    func tail(_ count: Int = 20) -> String {
        guard let text = try? FileIO.readText(log) else { return "" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(count).joined(separator: "\n")
    }
}
