extension WAASEngine {
    /// Runs every enabled detector over one input.
    func inspect(_ input: Input, sink: inout FindingSink) {
        let limits = configuration.limits
        let location = input.location
        if input.parseFlags.contains(.invalidEscape), input.source == .query || input.source == .form || input.source == .path {
            sink.report(.urlEncoding, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        if input.parseFlags.contains(.percentU) {
            sink.report(.percentU, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        if input.source == .query || input.source == .form || input.source == .path, Normalizer.encodesUnreserved(input.bytes) {
            sink.report(.doubleEncoding, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        if !input.isName, input.source == .query || input.source == .form, input.key.elementsEqual("_method".utf8),
            [
                "get", "post", "put", "patch", "delete", "options", "head", "connect", "trace", "propfind", "proppatch", "mkcol", "move", "copy",
                "lock",
            ]
            .contains(where: { input.bytes.asciiLowercased().elementsEqual($0.utf8) || input.bytes.asciiLowercased().starts(with: "%".utf8) })
        {
            sink.report(.methodOverride, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        if !input.isName, input.source == .query || input.source == .form, !input.bytes.isEmpty, RemoteInclude.isIncludeParameter(input.key) {
            let lowered = input.bytes.asciiLowercased()
            for scheme: StaticString in ["http://", "https://", "ftp://", "ftps://"] where lowered.hasLowercasePrefix(scheme, at: 0) {
                sink.report(.rfiIncludeParameter, location: location, text: input.bytes, start: 0, end: input.bytes.count)
            }
        }
        if input.isName, input.source == .query || input.source == .form, ParameterSyntax.bogusBrackets(input.bytes) {
            sink.report(.parameterSyntax, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        if input.isName, input.source == .cookie, input.key.first == UInt8(ascii: "$") {
            // RFC 2109 `$Version` cookies: quoting rules that parsers disagree on.
            sink.report(.headerSyntax, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        guard !input.bytes.isEmpty else { return }
        let value = Normalizer.normalize(input.bytes[...], maxRounds: limits.maxDecodeRounds, maxLength: limits.maxValueLength)
        reportEncodingFlags(value, input: input, sink: &sink)
        let text = value.text
        func report(_ hit: DetectorHit?) {
            guard let hit else { return }
            sink.report(hit.rule, location: location, text: hit.text ?? text, start: hit.start, end: hit.end)
        }
        scanKeywords(value, input: input, sink: &sink)
        if input.isName, input.source == .query || input.source == .form || input.source == .json, sink.wants(.code) {
            report(CodeDetector.ormTraversal(value.lower))
        }
        // Browser-made headers carry product tokens (AppleWebKit, Chrome) that only look like base64.
        let browserHeader = input.source == .header && (input.key.elementsEqual("user-agent".utf8) || input.key.elementsEqual("referer".utf8))
        if sink.wants(.java) || sink.wants(.code), !browserHeader { report(Base64Detector.detect(text, raw: input.bytes)) }
        if sink.wants(.cmdi) {
            // A one-word User-Agent is a client's product name: busybox's `Wget` is not a command run without
            // arguments. A User-Agent with arguments after a command is still read from its start.
            let productName =
                input.source == .header && input.key.elementsEqual("user-agent".utf8) && !input.bytes.contains(where: ByteClass.isSpace)
            let atStart = !input.isName && input.source != .path && !productName
            report(ShellDetector.detect(value, atValueStart: atStart).map { DetectorHit($0.rule, $0.start, $0.end, text: $0.text) })
        }
        let lower = value.lower
        if input.source == .filename || (input.source == .header && input.key.firstIndex(ofLowercase: "file") != nil) {
            report(UploadCheck.detect(lower))
        }
        if value.isPlain {
            if sink.wants(.sqli), lower.contains(UInt8(ascii: " ")), let hit = SQLDetector.detect(value) {
                report(DetectorHit(hit.rule, hit.start, hit.end))
            }
            if sink.wants(.ssrf), let hit = URLDetector.detect(value, source: input.source) { report(hit) }
            return
        }
        // Each detector runs only when the value holds the characters its attack class cannot do without.
        if sink.wants(.sqli), let hit = SQLDetector.detect(value) { report(DetectorHit(hit.rule, hit.start, hit.end)) }
        if sink.wants(.xss), value.has("<:(=[`+"), let hit = HTMLDetector.detect(value) { report(DetectorHit(hit.rule, hit.start, hit.end)) }
        if sink.wants(.lfi), value.has("."), value.has("/\\") { report(PathDetector.detect(value, source: input.source)) }
        if sink.wants(.rfi) || sink.wants(.ssrf), value.has(":/"),
            !(input.source == .header && (input.key.elementsEqual("referer".utf8) || input.key.elementsEqual("origin".utf8)))
        {
            report(URLDetector.detect(value, source: input.source))
        }
        if sink.wants(.php) {
            if value.has("<[{") { report(CodeDetector.phpOpenTag(lower)) }
            if value.has(":") { report(CodeDetector.phpSerialized(lower)) }
            if value.has("$("), value.has("$\"'([") { report(CodeDetector.phpVariableCall(lower)) }
            if value.has("$") { report(CodeDetector.phpVariableVariable(lower)) }
        }
        if sink.wants(.code) {
            if value.has("@") { report(CodeDetector.perlInterpolation(lower)) }
            if value.has("(") { report(CodeDetector.infiniteLoop(lower)) }
        }
        if sink.wants(.ssti), value.has("{%#@$*") { report(CodeDetector.templateExpression(lower)) }
        if sink.wants(.ldapi), value.has(")"), value.has("(") { report(CodeDetector.ldapFilter(lower)) }
        if sink.wants(.shellshock), value.has("(") { report(CodeDetector.shellshock(lower)) }
        if sink.wants(.java), value.has("$") { report(Log4ShellDetector.detect(lower)) }
        if sink.wants(.smuggling), value.flags.contains(.lineBreak) || value.has("/|") || input.isName {
            report(InputSmuggling.detect(value, input: input))
        }
    }

    private func reportEncodingFlags(_ value: NormalizedValue, input: Input, sink: inout FindingSink) {
        let flags = value.flags
        let location = input.location
        let text = value.text
        if flags.contains(.nul) { sink.report(.nul, location: location, text: input.bytes, start: 0, end: input.bytes.count) }
        guard input.source == .query || input.source == .form || input.source == .path || input.source == .json else { return }
        if flags.contains(.overlongUTF8) || (flags.contains(.invalidUTF8) && input.source != .json) {
            sink.report(.utf8, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        if flags.contains(.percentU) { sink.report(.percentU, location: location, text: input.bytes, start: 0, end: input.bytes.count) }
        if flags.contains(.encodedUnreserved) {
            sink.report(.doubleEncoding, location: location, text: input.bytes, start: 0, end: input.bytes.count)
        }
        _ = text
    }

    private func scanKeywords(_ value: NormalizedValue, input: Input, sink: inout FindingSink) {
        let text = value.lower
        var reported: Set<String> = []
        KeywordRules.matcher.forEachMatch(in: text) { tag, start, end in
            let entry = KeywordRules.entries[tag]
            guard sink.wants(entry.rule.category), !reported.contains(entry.rule.id) else { return true }
            guard KeywordChecks.passes(entry.check, text: text, start: start, end: end, input: input) else { return true }
            reported.insert(entry.rule.id)
            sink.report(entry.rule, location: input.location, text: value.text, start: start, end: end)
            return !sink.isFull
        }
    }
}
