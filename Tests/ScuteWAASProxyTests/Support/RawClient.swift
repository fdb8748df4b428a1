#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// One response as read off the wire.
struct RawResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.0.lowercased() == name.lowercased() }?.1
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

struct RawClientError: Error, CustomStringConvertible {
    let description: String
}

/// A blocking TCP client on loopback that sends bytes exactly as given (so tests can send malformed HTTP) and
/// parses responses framed by Content-Length, chunked coding or the connection's close. Reads give up after 10 s.
final class RawClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw RawClientError(description: "socket failed") }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            throw RawClientError(description: "connect failed: \(errno)")
        }
    }

    deinit {
        close(fd)
    }

    func send(_ text: String) throws {
        try send(Array(text.utf8))
    }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw RawClientError(description: "send failed: \(errno)") }
            offset += n
        }
    }

    /// Reads more bytes into the buffer; false at end of stream.
    private func fill() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { throw RawClientError(description: "recv failed or timed out: \(errno)") }
        if n == 0 { return false }
        buffer += chunk[0..<n]
        return true
    }

    /// Exactly `count` bytes (for relayed data after an upgrade).
    func read(count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw RawClientError(description: "closed after \(buffer.count) bytes") }
        }
        let out = Array(buffer[0..<count])
        buffer.removeFirst(count)
        return out
    }

    /// True when the peer closed the connection (after any bytes still buffered).
    func isClosedByPeer() throws -> Bool {
        while true {
            if !buffer.isEmpty { return false }
            guard try fill() else { return true }
        }
    }

    private func line() throws -> String? {
        while true {
            if let index = buffer.firstIndex(of: 0x0A) {
                var bytes = Array(buffer[0..<index])
                buffer.removeFirst(index + 1)
                if bytes.last == 0x0D { bytes.removeLast() }
                return String(decoding: bytes, as: UTF8.self)
            }
            guard try fill() else { return nil }
        }
    }

    /// The next response; `forHead` when it answers a HEAD request (no body).
    func readResponse(forHead: Bool = false) throws -> RawResponse {
        guard let statusLine = try line() else { throw RawClientError(description: "closed before a response") }
        let parts = statusLine.split(separator: " ")
        guard parts.count >= 2, let status = Int(parts[1]) else { throw RawClientError(description: "bad status line \(statusLine)") }
        var headers: [(String, String)] = []
        while let headerLine = try line(), !headerLine.isEmpty {
            guard let colon = headerLine.firstIndex(of: ":") else { continue }
            let value = headerLine[headerLine.index(after: colon)...].drop { $0 == " " }
            headers.append((String(headerLine[..<colon]), String(value)))
        }
        var response = RawResponse(status: status, headers: headers, body: [])
        if forHead || status == 101 || status == 204 || status == 304 || (100..<200).contains(status) { return response }
        if let length = response.header("content-length").flatMap({ Int($0) }) {
            response.body = try read(count: length)
        } else if response.header("transfer-encoding")?.lowercased() == "chunked" {
            while let sizeLine = try line(), let size = Int(sizeLine.split(separator: ";")[0], radix: 16) {
                if size == 0 {
                    while let trailer = try line(), !trailer.isEmpty {}
                    break
                }
                response.body += try read(count: size)
                _ = try line()
            }
        } else {
            while try fill() {}
            response.body = buffer
            buffer = []
        }
        return response
    }
}
