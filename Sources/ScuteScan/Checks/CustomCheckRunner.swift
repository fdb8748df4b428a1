#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The result of one custom compliance check (a shell script defined in the console).
package struct CustomCheckResult: Codable, Sendable, Equatable {
    package enum Status: String, Codable, Sendable {
        /// The script exited 0.
        case passed
        /// The script exited non-zero or was killed by a signal.
        case failed
        /// The script ran past the timeout and was killed with its process group.
        case timeout
        /// The script could not be started.
        case error
    }

    package var status: Status
    /// The exit status, when the script exited by itself.
    package var exitCode: Int32?
    /// Standard output and error together, at most the runner's `outputLimit` bytes.
    package var output: String
    /// True when output was cut at the limit.
    package var outputTruncated: Bool
}

/// Runs custom check scripts: `shell -c script` in its own process group, a clean environment, standard input
/// from /dev/null, output captured up to a limit, killed (with everything it started) at the timeout. The one
/// place in ScuteScan that starts a process.
package struct CustomCheckRunner: Sendable {
    package var shell: String
    package var timeoutMilliseconds: Int
    package var outputLimit: Int
    /// The whole environment the script gets.
    package var environment: [String]

    package init(
        shell: String = "/bin/sh",
        timeoutMilliseconds: Int = 30_000,
        outputLimit: Int = 64 << 10,
        environment: [String] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/", "LC_ALL=C"]
    ) {
        self.shell = shell
        self.timeoutMilliseconds = timeoutMilliseconds
        self.outputLimit = outputLimit
        self.environment = environment
    }

    /// Runs `script` and waits for it (at most the timeout).
    package func run(script: String) -> CustomCheckResult {
        var pipeDescriptors: [Int32] = [-1, -1]
        guard pipe(&pipeDescriptors) == 0 else { return failure("cannot create a pipe: \(errnoMessage())") }
        let (readEnd, writeEnd) = (pipeDescriptors[0], pipeDescriptors[1])
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigfillset(&defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &mask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let arguments: [UnsafeMutablePointer<CChar>?] = [shell, "-c", script].map { (text: String) in strdup(text) } + [nil]
        let environmentStrings: [UnsafeMutablePointer<CChar>?] = environment.map { (text: String) in strdup(text) } + [nil]
        defer {
            for pointer in arguments + environmentStrings { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, shell, &actions, &attributes, arguments, environmentStrings)
        closeDescriptor(writeEnd)
        guard spawned == 0 else {
            closeDescriptor(readEnd)
            return failure("cannot start \(shell): \(errnoMessage(spawned))")
        }
        defer { closeDescriptor(readEnd) }
        return collect(pid: pid, readEnd: readEnd)
    }

    private func collect(pid: pid_t, readEnd: Int32) -> CustomCheckResult {
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        var output: [UInt8] = []
        var truncated = false
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var exitStatus: Int32?
        var open = true
        var timedOut = false
        while open || exitStatus == nil {
            if exitStatus == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid { exitStatus = status }
            }
            if exitStatus != nil && open {
                // The script is done; whatever it left running in its group goes too, so the pipe reaches EOF.
                kill(-pid, SIGKILL)
            }
            let remaining = deadline - monotonicMilliseconds()
            if remaining <= 0 && exitStatus == nil {
                timedOut = true
                kill(-pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
                break
            }
            guard open else {
                usleep(5_000)
                continue
            }
            var poller = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(max(1, min(remaining, 50))))
            guard ready > 0 else { continue }
            let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 {
                open = false
                continue
            }
            let room = max(0, outputLimit - output.count)
            output += chunk[0..<min(count, room)]
            if count > room { truncated = true }
        }
        let text = String(decoding: output, as: UTF8.self)
        if timedOut { return CustomCheckResult(status: .timeout, exitCode: nil, output: text, outputTruncated: truncated) }
        let status = exitStatus ?? 0
        let exited = status & 0x7f == 0
        let code = exited ? (status >> 8) & 0xff : nil
        return CustomCheckResult(status: code == 0 ? .passed : .failed, exitCode: code, output: text, outputTruncated: truncated)
    }

    private func failure(_ message: String) -> CustomCheckResult {
        CustomCheckResult(status: .error, exitCode: nil, output: message, outputTruncated: false)
    }

    private func monotonicMilliseconds() -> Int {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return now.tv_sec * 1000 + now.tv_nsec / 1_000_000
    }
}
