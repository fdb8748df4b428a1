import CScuteTask

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Asks a running task to stop as ECS stops a task (dependents first, SIGTERM, then SIGKILL after each
/// container's stopTimeout); a second request kills every container at once. Safe from any thread, and
/// from SIGINT and SIGTERM once `catchSignals()` is called.
package final class TaskStopSignal: Sendable {
    let readFD: Int32
    private let writeFD: Int32

    package init() {
        var fds: [Int32] = [-1, -1]
        if scute_task_pipe(&fds) == 0 {
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            _ = fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Requests the stop.
    package func request() {
        var byte: UInt8 = 0
        _ = write(writeFD, &byte, 1)
    }

    /// Turns SIGINT and SIGTERM to this process into stop requests.
    package func catchSignals() {
        scute_task_catch_stop_signals(writeFD)
    }

    /// Gives SIGINT and SIGTERM their default meaning again.
    package func releaseSignals() {
        scute_task_catch_stop_signals(-1)
    }

    /// The requests that arrived since the last call (0 is `request()`, else the signal number).
    func drain() -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(readFD, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return out
    }
}
