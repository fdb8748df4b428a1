/// Request-level checks: method, version, target, headers, framing and content type.
enum ProtocolChecks {
    static let knownEncodings: Set<String> = [
        "gzip", "deflate", "br", "zstd", "compress", "identity", "*", "x-gzip", "x-compress", "sdch", "dcb", "dcz",
    ]
    static let cacheDirectives: Set<String> = [
        "no-cache", "no-store", "max-age", "max-stale", "min-fresh", "no-transform", "only-if-cached", "stale-if-error",
        "stale-while-revalidate", "must-revalidate", "public", "private", "proxy-revalidate", "s-maxage", "immutable",
        "must-understand",
    ]

    static func run(_ request: HTTPRequest, body: [UInt8], sink: inout FindingSink) {
        let configuration = sink.configuration
        // Request line.
        let method = request.method
        if method.isEmpty || method.utf8.count > 24 || !method.utf8.allSatisfy(isTokenByte) {
            sink.report(.invalidRequestLine, location: "request-line", excerpt: method)
        } else if !configuration.allowedMethods.contains(method) {
            sink.report(.methodNotAllowed, location: "request-line", excerpt: method)
        }
        let target = Array(request.target.utf8)
        if target.contains(where: { $0 <= 0x20 || $0 == 0x7F }) {
            sink.report(.invalidRequestLine, location: "request-line", text: target, start: 0, end: target.count)
        } else if !(target.first == UInt8(ascii: "/") || target.starts(with: "http://".utf8) || target.starts(with: "https://".utf8)
            || (target == [UInt8(ascii: "*")] && method == "OPTIONS") || method == "CONNECT")
        {
            sink.report(.invalidRequestLine, location: "request-line", text: target, start: 0, end: target.count)
        }
        if !["HTTP/1.1", "HTTP/1.0", "HTTP/2", "HTTP/2.0", "HTTP/3", "HTTP/3.0"].contains(request.version) {
            sink.report(.versionNotAllowed, location: "request-line", excerpt: request.version)
        }
        headers(request, body: body, sink: &sink)
    }

    private static func headers(_ request: HTTPRequest, body: [UInt8], sink: inout FindingSink) {
        let configuration = sink.configuration
        var hosts = 0
        var contentLengths: [String] = []
        var transferEncodings: [String] = []
        var contentType: String?
        for header in request.headers {
            let name = ProtocolChecks.lowercasedName(header.name)
            let value = Array(header.value.utf8)
            var location: String { "header:" + header.name }
            if name.isEmpty || !header.name.utf8.allSatisfy(isTokenByte) {
                sink.report(
                    .smugglingHeader,
                    location: "header:" + LocationText.sanitize(Array(header.name.utf8)),
                    text: Array(header.name.utf8),
                    start: 0,
                    end: header.name.utf8.count
                )
                continue
            }
            if value.contains(where: { $0 == 0x0A || $0 == 0x0D || $0 == 0 }) {
                sink.report(.smugglingHeader, location: location, text: value, start: 0, end: value.count)
            }
            if configuration.restrictedHeaders.contains(name) {
                sink.report(.headerRestricted, location: location, text: value, start: 0, end: value.count)
            }
            guard ProtocolChecks.checkedHeaders.contains(name) else { continue }
            let trimmed = header.value.trimmingSpaces
            switch name {
            case "host":
                hosts += 1
                let host = Array(trimmed.utf8)
                if host.isEmpty {
                    sink.report(.host, location: location, text: host, start: 0, end: host.count)
                } else if isNumericHost(host) {
                    sink.report(.numericHost, location: location, text: host, start: 0, end: host.count)
                }
            case "content-length": contentLengths.append(trimmed)
            case "transfer-encoding": transferEncodings.append(trimmed.lowercased())
            case "content-type": contentType = trimmed.isEmpty ? nil : header.value
            case "user-agent", "accept":
                if trimmed.isEmpty { sink.report(.emptyHeader, location: location, excerpt: "") }
                if name == "accept", value.firstIndex(ofLowercase: "charset") != nil,
                    let charset = parameter("charset", in: trimmed.lowercased()), !configuration.allowedCharsets.contains(charset)
                {
                    sink.report(.headerSyntax, location: location, text: value, start: 0, end: value.count)
                }
            case "accept-encoding":
                let tokens = trimmed.lowercased().split(separator: ",").map { $0.split(separator: ";").first.map { String($0).trimmingSpaces } ?? "" }
                if trimmed.utf8.count > 100 || tokens.contains(where: { !$0.utf8.allSatisfy { isTokenByte($0) } }) {
                    sink.report(.headerSyntax, location: location, text: value, start: 0, end: value.count)
                }
            case "connection":
                guard value.contains(UInt8(ascii: ",")) else { break }
                let tokens = trimmed.lowercased().split(separator: ",").map { String($0).trimmingSpaces }
                if Set(tokens).count != tokens.count || (tokens.contains("close") && tokens.contains("keep-alive")) {
                    sink.report(.headerSyntax, location: location, text: value, start: 0, end: value.count)
                }
            case "cache-control":
                let elements = trimmed.lowercased().split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
                let bad = elements.contains { element in
                    let directive = element.split(separator: "=", maxSplits: 1).first.map(String.init) ?? ""
                    return !cacheDirectives.contains(directive)
                }
                if bad { sink.report(.headerSyntax, location: location, text: value, start: 0, end: value.count) }
            case "range":
                let ranges = trimmed.split(separator: ",").count
                if ranges > 5 { sink.report(.range, location: location, text: value, start: 0, end: value.count) }
            case "x-http-method-override", "x-http-method", "x-method-override":
                sink.report(.methodOverride, location: location, text: value, start: 0, end: value.count)
            case "x-up-devcap-post-charset":
                if !configuration.allowedCharsets.contains(trimmed.lowercased()) {
                    sink.report(.charset, location: location, text: value, start: 0, end: value.count)
                }
            default:
                break
            }
        }
        let isHTTP1 = request.version.hasPrefix("HTTP/1")
        if hosts == 0 && request.version == "HTTP/1.1" { sink.report(.host, location: "header:Host", excerpt: "(missing)") }
        if hosts > 1 { sink.report(.host, location: "header:Host", excerpt: "(\(hosts) Host headers)") }
        // Framing.
        if Set(contentLengths).count > 1 || contentLengths.contains(where: { $0.isEmpty || !$0.utf8.allSatisfy(ByteClass.isDigit) }) {
            sink.report(.smugglingCL, location: "header:Content-Length", excerpt: contentLengths.joined(separator: ", "))
        }
        if !transferEncodings.isEmpty {
            if !contentLengths.isEmpty {
                sink.report(.smugglingCLTE, location: "header:Transfer-Encoding", excerpt: transferEncodings.joined(separator: ", "))
            }
            if transferEncodings != ["chunked"] || request.version == "HTTP/1.0" {
                sink.report(.smugglingTE, location: "header:Transfer-Encoding", excerpt: transferEncodings.joined(separator: ", "))
            }
        }
        let declaredLength = contentLengths.first.flatMap { Int($0) } ?? 0
        let hasBody = !body.isEmpty || declaredLength > 0 || !transferEncodings.isEmpty
        if hasBody && (request.method == "GET" || request.method == "HEAD") {
            sink.report(.bodyOnGet, location: "body", text: body, start: 0, end: min(body.count, 40))
        }
        if !body.isEmpty && isHTTP1 && contentLengths.isEmpty && transferEncodings.isEmpty {
            sink.report(.contentLength, location: "header:Content-Length", excerpt: "(missing)")
        }
        // Content type.
        guard let contentType else {
            let emptyHeader = request.firstHeader("Content-Type") != nil
            if !body.isEmpty && declaredLength > 0 && !emptyHeader {
                sink.report(.contentLength, location: "header:Content-Type", excerpt: "(missing)")
            }
            return
        }
        checkContentType(contentType, hasBody: hasBody, sink: &sink)
    }

    private static func checkContentType(_ raw: String, hasBody: Bool, sink: inout FindingSink) {
        let configuration = sink.configuration
        let lowered = raw.lowercased()
        let location = "header:Content-Type"
        let bytes = Array(raw.utf8)
        let parts = lowered.split(separator: ";", omittingEmptySubsequences: false).map { String($0).trimmingSpaces }
        let mediaType = parts.first ?? ""
        let typeParts = mediaType.split(separator: "/", omittingEmptySubsequences: false)
        var malformed = typeParts.count != 2 || typeParts.contains { $0.isEmpty || !$0.utf8.allSatisfy { isTokenByte($0) } }
        var charsets: [String] = []
        for parameter in parts.dropFirst() where !parameter.isEmpty {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            guard pair.count == 2, !pair[0].isEmpty, pair[0].utf8.allSatisfy(isTokenByte) else {
                malformed = true
                continue
            }
            if pair[0] == "charset" { charsets.append(pair[1].filter { $0 != "'" && $0 != "\"" }) }
            // A MIME type hidden in a parameter confuses parsers that pick the first `type/subtype` they see.
            if pair[0] == "boundary" && !mediaType.hasPrefix("multipart/") { malformed = true }
            if pair[0] != "type" && pair[0] != "boundary" && pair[0] != "start-info" && pair[1].contains("/")
                && pair[1].split(separator: "/").count == 2
            {
                malformed = true
            }
            if pair[1].contains("%{") || pair[1].contains("#") || pair[1].contains("(") { malformed = true }
        }
        if malformed || lowered.contains("%{") {
            sink.report(.contentTypeSyntax, location: location, text: bytes, start: 0, end: bytes.count)
            return
        }
        if hasBody && !configuration.allowedContentTypes.contains(mediaType) {
            sink.report(.contentType, location: location, text: bytes, start: 0, end: bytes.count)
        }
        if charsets.count > 1 || charsets.contains(where: { !configuration.allowedCharsets.contains($0) }) {
            sink.report(.charset, location: location, text: bytes, start: 0, end: bytes.count)
        }
    }

    /// Headers with checks of their own; the others only get the generic ones.
    static let checkedHeaders: Set<String> = [
        "host", "content-length", "transfer-encoding", "content-type", "user-agent", "accept", "accept-encoding", "connection",
        "cache-control", "range", "x-http-method-override", "x-http-method", "x-method-override", "x-up-devcap-post-charset",
    ]

    /// The header name in lower case, without allocating when it already is.
    static func lowercasedName(_ name: String) -> String {
        name.utf8.contains(where: { $0 &- 65 < 26 }) ? name.lowercased() : name
    }

    static func parameter(_ name: String, in value: String) -> String? {
        for part in value.split(whereSeparator: { $0 == ";" || $0 == "," }) {
            let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            if pair.count == 2 && pair[0] == name { return pair[1] }
        }
        return nil
    }

    static func isNumericHost(_ host: [UInt8]) -> Bool {
        if host.first == UInt8(ascii: "[") { return true }
        var name = host[...]
        if let colon = name.lastIndex(of: UInt8(ascii: ":")) { name = name[name.startIndex..<colon] }
        return !name.isEmpty && name.allSatisfy { ByteClass.isDigit($0) || $0 == UInt8(ascii: ".") }
    }

    static func isTokenByte(_ byte: UInt8) -> Bool {
        ByteClass.isWord(byte) || ByteClass.oneOf(byte, "!#$%&'*+-.^`|~")
    }
}
