import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The host's side of the port-forwarding test: plain blocking sockets on 127.0.0.1.
enum LoopbackPeer {
    struct Listener {
        var fd: Int32
        var port: UInt16
    }

    final class Answer: Sendable {
        private let value = Mutex("")
        var text: String { value.withLock { $0 } }
        func set(_ text: String) { value.withLock { $0 = text } }
    }

    /// A listening socket on an ephemeral port of 127.0.0.1.
    static func listen() throws -> Listener {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 8) == 0 else {
            close(fd)
            throw Failure(what: "bind/listen")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Listener(fd: fd, port: UInt16(bigEndian: address.sin_port))
    }

    /// A port of 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> UInt16 {
        let listener = try listen()
        close(listener.fd)
        return listener.port
    }

    /// On a thread: answers one connection on `listener` with `line`, then connects to `fetchPort` until a
    /// connection yields data (the task's server may not listen yet), and keeps what it read.
    static func serveThenFetch(_ listener: Listener, line: String, fetchPort: UInt16, into answer: Answer) -> pthread_t {
        let job = Job(listener: listener, line: line, fetchPort: fetchPort, answer: answer)
        var thread = pthread_t()
        let context = Unmanaged.passRetained(job).toOpaque()
        pthread_create(
            &thread,
            nil,
            { raw in
                let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                job.run()
                return nil
            },
            context
        )
        return thread
    }

    private final class Job {
        let listener: Listener
        let line: String
        let fetchPort: UInt16
        let answer: Answer

        init(listener: Listener, line: String, fetchPort: UInt16, answer: Answer) {
            self.listener = listener
            self.line = line
            self.fetchPort = fetchPort
            self.answer = answer
        }

        func run() {
            // Bounded: a task that never connects must not leave this thread (and the test's join) waiting.
            var ready = pollfd(fd: listener.fd, events: Int16(POLLIN), revents: 0)
            let client = poll(&ready, 1, 30_000) == 1 ? accept(listener.fd, nil, nil) : -1
            close(listener.fd)
            if client >= 0 {
                let bytes = Array((line + "\n").utf8)
                _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, $0.count, 0) }
                close(client)
            }
            // Up to 10 s of tries: a refused connection through the relay closes at once with nothing read.
            for _ in 0..<200 {
                let text = LoopbackPeer.fetch(port: fetchPort)
                if !text.isEmpty {
                    answer.set(text)
                    return
                }
                usleep(50_000)
            }
        }
    }

    private static func fetch(port: UInt16) -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return "" }
        defer { close(fd) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return "" }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 256)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            received += buffer[0..<n]
        }
        return String(decoding: received, as: UTF8.self)
    }

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    struct Failure: Error {
        var what: String
    }
}
