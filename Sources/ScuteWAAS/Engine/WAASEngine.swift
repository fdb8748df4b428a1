/// The web application firewall's detection engine: pure, no I/O. Build it once from a configuration (which
/// precomputes its tables), then call `inspect` for every request, from any thread.
package struct WAASEngine: Sendable {
    /// The policy this engine applies.
    package let configuration: WAASConfiguration

    /// Makes an engine for `configuration` and warms the shared matchers.
    package init(configuration: WAASConfiguration = WAASConfiguration()) {
        self.configuration = configuration
        _ = KeywordRules.matcher
        _ = SQLWords.table
        _ = ShellCommands.table
        _ = Base64Detector.matcher
    }

    /// Every finding for `request` (empty for clean traffic), at most `limits.maxFindings`.
    package func inspect(_ request: HTTPRequest) -> [Finding] {
        let limits = configuration.limits
        let target = RequestTarget(request.target)
        var sink = FindingSink(configuration: configuration, path: target.pathString)
        var body = request.body.count > limits.bodyInspectionLimit ? Array(request.body.prefix(limits.bodyInspectionLimit)) : request.body
        let truncated = request.bodyTruncated || request.body.count > limits.bodyInspectionLimit
        if request.bodyIsChunked {
            let (decoded, valid) = ChunkedDecoder.decode(body, truncated: truncated)
            if !valid { sink.report(.smugglingChunks, location: "body", text: request.body, start: 0, end: min(request.body.count, 40)) }
            body = decoded
        }
        ProtocolChecks.run(request, body: body, sink: &sink)
        var collector = InputCollector(limit: limits.maxInputs)
        target.collect(into: &collector, sink: &sink)
        collectHeaders(request, into: &collector)
        collectBody(request, body: body, truncated: truncated, into: &collector, sink: &sink)
        if collector.overflowed { sink.report(.limits, location: "request", excerpt: "more than \(limits.maxInputs) inputs") }
        for input in collector.inputs {
            if sink.isFull { break }
            inspect(input, sink: &sink)
        }
        SessionFixation.check(request, inputs: collector.inputs, sink: &sink)
        return sink.findings
    }

    /// Inspects `request` with a one-off engine for `configuration` (convenience for tests and tools).
    package static func inspect(_ request: HTTPRequest, configuration: WAASConfiguration) -> [Finding] {
        WAASEngine(configuration: configuration).inspect(request)
    }

    /// Headers whose values are structured (validated by the protocol checks) or secret, not inspected as text.
    static let structuredHeaders: Set<String> = [
        "host", "connection", "content-length", "content-type", "transfer-encoding", "accept", "accept-encoding",
        "accept-language", "cache-control", "pragma", "upgrade-insecure-requests", "sec-fetch-site", "sec-fetch-mode",
        "sec-fetch-user", "sec-fetch-dest", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "if-none-match",
        "if-modified-since", "dnt", "te", "keep-alive", "proxy-connection", "authorization", "proxy-authorization", "cookie",
        "range", "priority", "x-forwarded-for", "x-real-ip", "x-request-id", "traceparent", "tracestate", "content-encoding",
        "if-match", "if-unmodified-since", "x-amzn-trace-id", "x-csrf-token", "x-xsrf-token",
    ]

    private func collectHeaders(_ request: HTTPRequest, into collector: inout InputCollector) {
        for header in request.headers {
            let name = header.name.lowercased()
            if name == "cookie" {
                CookieParser.parse(Array(header.value.utf8), into: &collector)
                continue
            }
            if WAASEngine.structuredHeaders.contains(name) { continue }
            collector.add(
                Input(location: "header:" + header.name, source: .header, isName: false, bytes: Array(header.value.utf8), key: Array(name.utf8))
            )
        }
    }

    private func collectBody(_ request: HTTPRequest, body: [UInt8], truncated: Bool, into collector: inout InputCollector, sink: inout FindingSink) {
        guard !body.isEmpty else { return }
        let contentType = Array((request.firstHeader("Content-Type") ?? "").utf8)
        let lowered = contentType.asciiLowercased()
        let limits = configuration.limits
        if lowered.starts(with: "application/x-www-form-urlencoded".utf8) {
            _ = FormParser.parse(body[...], source: .form, prefix: "form", into: &collector)
        } else if lowered.starts(with: "multipart/".utf8), let boundary = MultipartParser.boundary(of: contentType) {
            let issues = MultipartParser.parse(
                body,
                boundary: boundary,
                truncated: truncated,
                allowedCharsets: configuration.allowedCharsets,
                into: &collector
            )
            if !issues.isEmpty {
                sink.report(.multipart, location: "body", excerpt: MultipartIssueText.describe(issues))
                if issues.contains(.noParts) { collector.add(rawBody(body)) }
            }
        } else if lowered.firstIndex(ofLowercase: "json") != nil {
            var nested = InputCollector(limit: collector.limit - collector.inputs.count)
            if JSONWalker.walk(body, maxDepth: limits.maxDepth, into: &nested) {
                for input in nested.inputs { collector.add(input) }
            } else {
                if !truncated { sink.report(.bodyParse, location: "body", text: body, start: 0, end: min(body.count, 40)) }
                for input in nested.inputs { collector.add(input) }
                collector.add(rawBody(body))
            }
        } else if lowered.firstIndex(ofLowercase: "xml") != nil {
            var nested = InputCollector(limit: collector.limit - collector.inputs.count)
            if XMLWalker.walk(body, maxDepth: limits.maxDepth, into: &nested) {
                for input in nested.inputs { collector.add(input) }
            } else {
                if !truncated { sink.report(.bodyParse, location: "body", text: body, start: 0, end: min(body.count, 40)) }
                collector.add(rawBody(body))
            }
        } else {
            collector.add(rawBody(body))
            if looksLikeForm(body) { _ = FormParser.parse(body[...], source: .form, prefix: "body", into: &collector) }
        }
    }

    /// A body without a known type that reads like `a=1&b=2` is inspected both whole and as parameters.
    private func looksLikeForm(_ body: [UInt8]) -> Bool {
        guard let equals = body.firstIndex(of: UInt8(ascii: "=")), equals > 0 else { return false }
        return body[0..<equals].allSatisfy { ByteClass.isWord($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "%") }
    }

    private func rawBody(_ body: [UInt8]) -> Input {
        Input(location: "body", source: .body, isName: false, bytes: body, key: [])
    }
}

enum MultipartIssueText {
    static func describe(_ issues: MultipartParser.Issues) -> String {
        var words: [String] = []
        if issues.contains(.unterminated) { words.append("unterminated") }
        if issues.contains(.noParts) { words.append("no parts") }
        if issues.contains(.suspiciousFilename) { words.append("file name with quote, semicolon, equals or backslash") }
        if issues.contains(.suspiciousName) { words.append("field name with quote, semicolon or ampersand") }
        if issues.contains(.charset) { words.append("part charset not allowed") }
        if issues.contains(.transferEncoding) { words.append("part Content-Transfer-Encoding") }
        if issues.contains(.missingDisposition) { words.append("part without Content-Disposition") }
        return words.joined(separator: "; ")
    }
}
