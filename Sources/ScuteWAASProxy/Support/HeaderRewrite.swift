import NIOHTTP1

/// Header changes between the client and the app: hop-by-hop fields, framing and the forwarding fields.
enum HeaderRewrite {
    /// Fields that describe one connection, never forwarded (RFC 9110 section 7.6.1).
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
    ]

    /// True for a request that asks to switch protocols (`Connection: upgrade` with an `Upgrade` field).
    static func isUpgrade(_ head: HTTPRequestHead) -> Bool {
        guard head.headers.contains(name: "upgrade") else { return false }
        return head.headers["connection"].contains { value in
            value.split(separator: ",").contains { $0.trimmed.lowercased() == "upgrade" }
        }
    }

    /// The request head sent to the app. `bodyLength` is set when the whole body was read (then it is sent with
    /// that Content-Length); otherwise the client's Content-Length is kept, or the body is sent chunked.
    static func upstreamHead(_ head: HTTPRequestHead, peerIP: String, bodyLength: Int?) -> HTTPRequestHead {
        let upgrade = isUpgrade(head)
        let contentLength = head.headers.first(name: "content-length")
        let chunked = head.headers["transfer-encoding"].contains { $0.lowercased().contains("chunked") }
        var headers = withoutHopByHop(head.headers, keeping: upgrade ? ["upgrade"] : [])
        headers.remove(name: "content-length")
        if upgrade { headers.add(name: "connection", value: "upgrade") }
        if let bodyLength {
            if bodyLength > 0 || contentLength != nil || chunked { headers.add(name: "content-length", value: String(bodyLength)) }
        } else if let contentLength, !chunked {
            headers.add(name: "content-length", value: contentLength)
        } else {
            headers.add(name: "transfer-encoding", value: "chunked")
        }
        let forwarded = head.headers["x-forwarded-for"]
        headers.remove(name: "x-forwarded-for")
        headers.add(name: "x-forwarded-for", value: forwarded.isEmpty ? peerIP : forwarded.joined(separator: ", ") + ", " + peerIP)
        if !headers.contains(name: "x-forwarded-proto") { headers.add(name: "x-forwarded-proto", value: "http") }
        let via = head.headers["via"]
        headers.remove(name: "via")
        let version = "\(head.version.major).\(head.version.minor)"
        headers.add(name: "via", value: via.isEmpty ? "\(version) scute" : via.joined(separator: ", ") + ", \(version) scute")
        return HTTPRequestHead(version: .http1_1, method: head.method, uri: head.uri, headers: headers)
    }

    /// The app's response head as sent to the client: hop-by-hop fields out, the client's keep-alive choice in.
    static func clientHead(_ head: HTTPResponseHead, version: HTTPVersion, keepAlive: Bool) -> HTTPResponseHead {
        var headers = withoutHopByHop(head.headers, keeping: [])
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        return HTTPResponseHead(version: version.major == 1 ? version : .http1_1, status: head.status, headers: headers)
    }

    /// The app's 101 as sent to the client: its fields as they are (Upgrade, Connection and the handshake).
    static func upgradeResponseHead(_ head: HTTPResponseHead) -> HTTPResponseHead {
        var headers = head.headers
        headers.remove(name: "content-length")
        headers.remove(name: "transfer-encoding")
        return HTTPResponseHead(version: .http1_1, status: .switchingProtocols, headers: headers)
    }

    private static func withoutHopByHop(_ headers: HTTPHeaders, keeping: Set<String>) -> HTTPHeaders {
        // Field names listed in Connection besides the usual tokens are hop-by-hop too (rare: a set only then).
        var listed: Set<String> = []
        for value in headers["connection"] {
            for token in value.split(separator: ",") {
                let name = token.trimmed.lowercased()
                if name != "keep-alive" && name != "close" && name != "upgrade" { listed.insert(name) }
            }
        }
        var out = HTTPHeaders()
        for (name, value) in headers {
            if isHopByHop(name) {
                if !keeping.isEmpty && keeping.contains(name.lowercased()) { out.add(name: name, value: value) }
            } else if listed.isEmpty || !listed.contains(name.lowercased()) {
                out.add(name: name, value: value)
            }
        }
        return out
    }

    /// `hopByHop.contains(name.lowercased())` without allocating: most names are ruled out by their length.
    static func isHopByHop(_ name: String) -> Bool {
        let candidates: [StaticString]
        switch name.utf8.count {
        case 2: candidates = ["te"]
        case 7: candidates = ["trailer", "upgrade"]
        case 10: candidates = ["connection", "keep-alive"]
        case 16: candidates = ["proxy-connection"]
        case 17: candidates = ["transfer-encoding"]
        default: return false
        }
        return candidates.contains { equalsLowercase(name, $0) }
    }

    private static func equalsLowercase(_ name: String, _ lower: StaticString) -> Bool {
        lower.withUTF8Buffer { expected in
            var index = 0
            for byte in name.utf8 {
                let folded = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
                if index >= expected.count || folded != expected[index] { return false }
                index += 1
            }
            return index == expected.count
        }
    }
}

extension Substring {
    var trimmed: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }
}
