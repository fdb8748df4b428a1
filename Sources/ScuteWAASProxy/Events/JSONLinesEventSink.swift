import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Appends each event as one JSON line to a file (or standard output); a line is written with one `write`.
package final class JSONLinesEventSink: WAASEventSink {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let lock = Mutex(())

    /// Events to standard output.
    package init() {
        descriptor = 1
        ownsDescriptor = false
    }

    /// Events appended to the file at `path` (created with mode 0600 when missing).
    package init(path: String) throws(WAASProxyError) {
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .file(path, String(cString: strerror(errno))) }
        descriptor = fd
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    package func record(_ events: [WAASEvent]) {
        guard !events.isEmpty else { return }
        var text = ""
        for event in events { text += event.jsonLine + "\n" }
        var bytes = Array(text.utf8)
        lock.withLock { _ in
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { return }
                offset += written
            }
        }
    }
}
