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
    ///
    /// The script runs under a wrapper shell that writes its exit status to a pipe of its own: in the defender
    /// the tracer reaps every child of the process (it is a subreaper and waits for any pid), so `waitpid`
    /// cannot be relied on to see the script's status. The script itself does not get that pipe.
    package func run(script: String) -> CustomCheckResult {
        guard let (readEnd, writeEnd) = makePipe() else { return failure("cannot create a pipe: \(errnoMessage())") }
        guard let (statusRead, statusWrite) = makePipe() else {
            closeDescriptor(readEnd)
            closeDescriptor(writeEnd)
            return failure("cannot create a pipe: \(errnoMessage())")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        posix_spawn_file_actions_adddup2(&actions, statusWrite, 3)
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

        let wrapper = #""$0" -c "$1" 3>&-; echo $? >&3"#
        let arguments: [UnsafeMutablePointer<CChar>?] = [shell, "-c", wrapper, shell, script].map { (text: String) in strdup(text) } + [nil]
        let environmentStrings: [UnsafeMutablePointer<CChar>?] = environment.map { (text: String) in strdup(text) } + [nil]
        defer {
            for pointer in arguments + environmentStrings { free(pointer) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, shell, &actions, &attributes, arguments, environmentStrings)
        closeDescriptor(writeEnd)
        closeDescriptor(statusWrite)
        guard spawned == 0 else {
            closeDescriptor(readEnd)
            closeDescriptor(statusRead)
            return failure("cannot start \(shell): \(errnoMessage(spawned))")
        }
        defer {
            closeDescriptor(readEnd)
            closeDescriptor(statusRead)
        }
        return collect(pid: pid, readEnd: readEnd, statusEnd: statusRead)
    }

    /// A pipe whose ends are close-on-exec and above the standard descriptors (so that duplicating one onto
    /// 1, 2 or 3 in the child never leaves it close-on-exec).
    private func makePipe() -> (Int32, Int32)? {
        var descriptors: [Int32] = [-1, -1]
        guard pipe(&descriptors) == 0 else { return nil }
        let ends = descriptors.map { fd -> Int32 in
            let moved = fcntl(fd, F_DUPFD_CLOEXEC, 10)
            guard moved >= 0 else { return fd }
            closeDescriptor(fd)
            return moved
        }
        return (ends[0], ends[1])
    }

    private func collect(pid: pid_t, readEnd: Int32, statusEnd: Int32) -> CustomCheckResult {
        let deadline = monotonicMilliseconds() + timeoutMilliseconds
        var output: [UInt8] = []
        var status: [UInt8] = []
        var truncated = false
        var chunk = [UInt8](repeating: 0, count: 16 << 10)
        var outputOpen = true
        var statusOpen = true
        var timedOut = false
        while outputOpen || statusOpen {
            if !statusOpen {
                // The script is done; whatever it left running in its group goes too, so the pipe reaches EOF.
                kill(-pid, SIGKILL)
            }
            let remaining = deadline - monotonicMilliseconds()
            if remaining <= 0 && statusOpen {
                timedOut = true
                kill(-pid, SIGKILL)
                break
            }
            var pollers = [
                pollfd(fd: outputOpen ? readEnd : -1, events: Int16(POLLIN), revents: 0),
                pollfd(fd: statusOpen ? statusEnd : -1, events: Int16(POLLIN), revents: 0),
            ]
            let ready = poll(&pollers, 2, Int32(max(1, min(remaining, 50))))
            guard ready > 0 else { continue }
            if outputOpen && pollers[0].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress!, $0.count) }
                if count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN) {
                    outputOpen = false
                } else if count > 0 {
                    let room = max(0, outputLimit - output.count)
                    output += chunk[0..<min(count, room)]
                    if count > room { truncated = true }
                }
            }
            if statusOpen && pollers[1].revents != 0 {
                let count = chunk.withUnsafeMutableBytes { read(statusEnd, $0.baseAddress!, $0.count) }
                if count == 0 || (count < 0 && errno != EINTR && errno != EAGAIN) {
                    statusOpen = false
                } else if count > 0 && status.count < 16 {
                    status += chunk[0..<min(count, 16)]
                }
            }
        }
        // Reaps the wrapper, unless someone else did (the defender's tracer waits for any child).
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        let text = String(decoding: output, as: UTF8.self)
        if timedOut { return CustomCheckResult(status: .timeout, exitCode: nil, output: text, outputTruncated: truncated) }
        // No status: the wrapper was killed before the script ended.
        let code = Int32(String(decoding: status, as: UTF8.self).filter(\.isNumber))
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
