import NIOCore

/// Everything `WAASProxy` needs: where to listen, where the app is, the policy and the connection bounds.
package struct WAASProxyConfiguration: Sendable {
    /// The address the proxy listens on (the port the load balancer targets).
    package var listenHost: String
    package var listenPort: Int
    /// The app, usually on loopback in the same task.
    package var appHost: String
    package var appPort: Int
    /// Effects, exceptions and inspection limits.
    package var policy: WAASPolicy
    /// Connection and time bounds.
    package var limits: WAASProxyLimits

    /// Makes a configuration with the default bounds.
    package init(
        listenHost: String,
        listenPort: Int,
        appHost: String,
        appPort: Int,
        policy: WAASPolicy = WAASPolicy(),
        limits: WAASProxyLimits = WAASProxyLimits()
    ) {
        self.listenHost = listenHost
        self.listenPort = listenPort
        self.appHost = appHost
        self.appPort = appPort
        self.policy = policy
        self.limits = limits
    }

    /// Splits `HOST:PORT` (`[::1]:8080` for IPv6); names the text when it does not parse.
    package static func hostAndPort(_ text: String) throws(WAASProxyError) -> (String, Int) {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { throw .address(text, "missing ] after an IPv6 address") }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { throw .address(text, "expected HOST:PORT") }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { throw .address(text, "expected HOST:PORT") }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        if host.isEmpty { host = "0.0.0.0" }
        guard let port = Int(portText), (0...65535).contains(port) else { throw .address(text, "the port must be 0 to 65535") }
        return (String(host), port)
    }
}

/// Bounds that keep slow or numerous clients from exhausting the proxy.
package struct WAASProxyLimits: Sendable {
    /// Client connections served at once; more are closed at accept.
    package var maxConnections: Int
    /// Time a client has to send a whole request head once its first byte arrived (slowloris).
    package var headerTimeout: TimeAmount
    /// Time without a byte from the client while the proxy waits for it (between requests or inside a body).
    package var idleTimeout: TimeAmount
    /// Bytes of request line and headers.
    package var maxHeaderBytes: Int
    /// Time to connect to the app.
    package var connectTimeout: TimeAmount
    /// Time without a byte from the app during an exchange (504), and the longest a pooled connection stays idle.
    package var responseTimeout: TimeAmount
    /// Idle keep-alive connections to the app kept per event loop.
    package var maxIdleUpstreamPerLoop: Int
    /// Client addresses the ban table holds.
    package var banTableCapacity: Int

    /// Defaults for a proxy in front of one app.
    package init(
        maxConnections: Int = 10_000,
        headerTimeout: TimeAmount = .seconds(10),
        idleTimeout: TimeAmount = .seconds(60),
        maxHeaderBytes: Int = 32 * 1024,
        connectTimeout: TimeAmount = .seconds(5),
        responseTimeout: TimeAmount = .seconds(120),
        maxIdleUpstreamPerLoop: Int = 128,
        banTableCapacity: Int = 10_000
    ) {
        self.maxConnections = maxConnections
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxHeaderBytes = maxHeaderBytes
        self.connectTimeout = connectTimeout
        self.responseTimeout = responseTimeout
        self.maxIdleUpstreamPerLoop = maxIdleUpstreamPerLoop
        self.banTableCapacity = banTableCapacity
    }
}
