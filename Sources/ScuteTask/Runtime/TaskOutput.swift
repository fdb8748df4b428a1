import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which stream of a container a line came from.
package enum TaskStream: Sendable, Equatable {
    case stdout
    case stderr
}

/// Where a running task's output goes: the containers' lines, and what `scute task run` itself reports
/// (starts, health, exits, stops).
package protocol TaskOutput: Sendable {
    func line(container: String, stream: TaskStream, text: String)
    func event(_ message: String)
}

/// Writes each container line as `[name] line` to the same stream of this process, and events as
/// `scute task: message` to standard error.
package struct StandardTaskOutput: TaskOutput {
    package init() {}

    package func line(container: String, stream: TaskStream, text: String) {
        write(stream == .stdout ? 1 : 2, "[\(container)] \(text)\n")
    }

    package func event(_ message: String) {
        write(2, "scute task: \(message)\n")
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            offset += n
        }
    }
}

/// Keeps every line and event in memory (for tests, and for callers that show output their own way).
package final class CollectingTaskOutput: TaskOutput {
    package struct Line: Sendable, Equatable {
        package var container: String
        package var stream: TaskStream
        package var text: String
    }

    private let state = Mutex<(lines: [Line], events: [String])>(([], []))

    package init() {}

    package func line(container: String, stream: TaskStream, text: String) {
        state.withLock { $0.lines.append(Line(container: container, stream: stream, text: text)) }
    }

    package func event(_ message: String) {
        state.withLock { $0.events.append(message) }
    }

    package var lines: [Line] { state.withLock { $0.lines } }
    package var events: [String] { state.withLock { $0.events } }

    /// The text of the lines `container` wrote, in order.
    package func lines(of container: String) -> [String] {
        lines.filter { $0.container == container }.map(\.text)
    }
}

/// Splits a stream of bytes into lines; a line longer than `limit` bytes is cut into pieces (as container
/// engines do with 16 KiB).
package struct LineBuffer {
    private var pending: [UInt8] = []
    package let limit: Int

    package init(limit: Int = 16384) {
        self.limit = limit
    }

    /// Adds bytes and returns the lines they complete, without their newlines.
    package mutating func append(_ bytes: some Collection<UInt8>) -> [[UInt8]] {
        var lines: [[UInt8]] = []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(pending)
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count >= limit {
                    lines.append(pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
        }
        return lines
    }

    /// The unterminated last line, if any, at the end of the stream.
    package mutating func finish() -> [UInt8]? {
        defer { pending.removeAll() }
        return pending.isEmpty ? nil : pending
    }
}
