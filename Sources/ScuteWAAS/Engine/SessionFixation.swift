/// Session fixation: a session identifier arriving as a parameter from a page on another site (or from no page).
enum SessionFixation {
    static let sessionNames: Set<[UInt8]> = Set(
        [
            "phpsessid", "phpsession", "jsessionid", "asp.net_sessionid", "aspsessionid", "laravel_session", "connect.sid",
            "next-auth.session-token", "__secure-next-auth.session-token", "meteor_login_token", "rack.session", "sails.sid",
            "ci_session", "koa:sess", "koa.sess", "cfid", "cftoken", "shiny-token", "_session_id", "sessionid", "session_id",
            "sid", "sessid", "django_session", "_rails_session", "express.sid", "symfony", "zend_session", "cakephp",
            "frontend", "wordpress_logged_in", "jsessionidsso",
        ].map { Array($0.utf8) }
    )

    static func check(_ request: HTTPRequest, inputs: [Input], sink: inout FindingSink) {
        guard sink.wants(.sessionFixation) else { return }
        for input in inputs where input.isName && (input.source == .query || input.source == .form) {
            var name = input.key[...]
            if name.starts(with: "aspsessionid".utf8) { name = name.prefix(12) }
            guard sessionNames.contains(Array(name)) else { continue }
            let host = hostName(request.firstHeader("Host") ?? "")
            if let referer = request.firstHeader("Referer"), let refererHost = urlHost(referer), refererHost == host { continue }
            sink.report(.sessionFixation, location: input.location, text: input.bytes, start: 0, end: input.bytes.count)
        }
    }

    private static func hostName(_ value: String) -> String {
        var host = value.trimmingSpaces.lowercased()
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") { host = String(host[..<colon]) }
        return host
    }

    private static func urlHost(_ url: String) -> String? {
        let bytes = Array(url.utf8)
        guard let schemeEnd = bytes.firstIndex(ofBytes: Array("://".utf8)) else { return nil }
        var rest = bytes[(schemeEnd + 3)...]
        if let slash = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            rest = rest[rest.startIndex..<slash]
        }
        if let at = rest.lastIndex(of: UInt8(ascii: "@")) { rest = rest[(at + 1)...] }
        return hostName(String(decoding: rest, as: UTF8.self))
    }
}
