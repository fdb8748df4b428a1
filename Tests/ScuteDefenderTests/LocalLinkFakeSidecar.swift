import Foundation
import ScuteCore
import Testing

/// A unix socket server standing in for the sidecar: records what defenders send, pushes what a test asks,
/// acknowledges batches (or not), and can drop the connection.
final class FakeSidecar: @unchecked Sendable {
    let path: String
    private let listener: Int32
    private let lock = NSCondition()
    private var connection: Int32 = -1
    /// Every message received, with the number of the connection it came on (1, 2, ...).
    private(set) var received: [(connection: Int, message: LocalMessage)] = []
    private var connections = 0
    /// Whether `audits` batches are acknowledged.
    var acknowledges = true
    /// Sent right after each hello.
    var policyOnHello: String?

    init() throws {
        path = Harness.tempPath("channel.sock")
        listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            let bytes = Array(path.utf8)
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        try #require(rc == 0)
        try #require(listen(listener, 8) == 0)
        Thread.detachNewThread { self.acceptLoop() }
    }

    private var accepted: [Int32] = []
    private var stopped = false

    /// Stops accepting and ends every connection (their reading threads return), so a test leaves no thread
    /// blocked behind it.
    func stop() {
        lock.lock()
        let open = stopped ? [] : accepted + [listener]
        stopped = true
        lock.unlock()
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func acceptLoop() {
        while true {
            let fd = accept(listener, nil, nil)
            if fd < 0 {
                close(listener)
                return
            }
            lock.lock()
            if stopped {
                lock.unlock()
                close(fd)
                return
            }
            accepted.append(fd)
            connections += 1
            let number = connections
            connection = fd
            lock.unlock()
            Thread.detachNewThread { self.read(fd, number) }
        }
    }

    private func read(_ fd: Int32, _ number: Int) {
        var lines = LineBuffer()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                // Closed under the lock: `stop` never shuts down a number the system gave to another socket.
                lock.lock()
                accepted.removeAll { $0 == fd }
                close(fd)
                lock.unlock()
                return
            }
            for line in (try? lines.append(buffer[0..<n])) ?? [] {
                guard let message = try? LocalMessage.parse(line) else { continue }
                lock.lock()
                received.append((number, message))
                let ack = acknowledges
                let policy = policyOnHello
                lock.broadcast()
                lock.unlock()
                if message.type == .hello, let policy { write(fd, policy) }
                if message.type == .audits && ack { write(fd, LocalMessage.ack(message.id).line) }
            }
        }
    }

    private func write(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Pushes a policy to the current connection.
    func push(_ document: String, version: Int) throws {
        let message = LocalMessage.policy(version: Int64(version), rule: "pushed", document: try JSONValue.parse(document))
        lock.lock()
        let fd = connection
        lock.unlock()
        write(fd, message.line)
    }

    /// Closes the current connection (the defender should reconnect).
    func drop() {
        lock.lock()
        shutdown(connection, Int32(SHUT_RDWR))
        lock.unlock()
    }

    func setAcknowledges(_ value: Bool) {
        lock.lock()
        acknowledges = value
        lock.unlock()
    }

    var messages: [(connection: Int, message: LocalMessage)] {
        lock.lock()
        defer { lock.unlock() }
        return received
    }

    /// Waits until `condition` holds over the messages received, up to `timeout` seconds.
    @discardableResult
    func wait(timeout: TimeInterval = 10, until condition: ([(connection: Int, message: LocalMessage)]) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        lock.lock()
        defer { lock.unlock() }
        while !condition(received) {
            if !lock.wait(until: deadline) { return condition(received) }
        }
        return true
    }

    /// The audit events received on `connection` (all when nil).
    func events(on connection: Int? = nil) -> [JSONObject] {
        messages.filter { $0.message.type == .audits && (connection == nil || $0.connection == connection) }
            .flatMap { $0.message.events.compactMap(\.objectValue) }
    }
}
