extension HTTPRequest {
    /// Parses a raw HTTP/1.x request (request line, headers, body framed by Content-Length or chunked).
    /// Lenient like a proxy's first pass: returns nil only when there is no request line at all.
    package init?(raw bytes: [UInt8]) {
        guard let lineEnd = bytes.firstIndex(of: 0x0A) else { return nil }
        var requestLine = bytes[0..<lineEnd]
        if requestLine.last == 0x0D { requestLine = requestLine.dropLast() }
        let parts = requestLine.split(separator: UInt8(ascii: " "), maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        var headers: [HTTPHeader] = []
        var index = lineEnd + 1
        while index < bytes.count {
            let end = bytes[index...].firstIndex(of: 0x0A) ?? bytes.count
            var line = bytes[index..<end]
            index = end + 1
            if line.last == 0x0D { line = line.dropLast() }
            if line.isEmpty { break }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                headers.append(HTTPHeader(name: String(decoding: line, as: UTF8.self), value: ""))
                continue
            }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
            while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
            headers.append(
                HTTPHeader(name: String(decoding: line[line.startIndex..<colon], as: UTF8.self), value: String(decoding: value, as: UTF8.self))
            )
        }
        let rest = index < bytes.count ? Array(bytes[index...]) : []
        var request = HTTPRequest(
            method: String(decoding: parts[0], as: UTF8.self),
            target: String(decoding: parts[1], as: UTF8.self),
            version: parts.count > 2 ? String(decoding: parts[2], as: UTF8.self) : "",
            headers: headers
        )
        let chunked = request.headerValues("Transfer-Encoding").contains { $0.lowercased().contains("chunked") }
        if chunked {
            request.body = rest
            request.bodyIsChunked = true
        } else if let length = request.firstHeader("Content-Length").flatMap({ Int($0.trimmingSpaces) }), length >= 0 {
            request.body = Array(rest.prefix(length))
        } else {
            request.body = rest
        }
        self = request
    }
}
