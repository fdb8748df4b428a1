/// A web application firewall in front of one container: the sidecar's proxy listens on `externalPort` (the
/// port the load balancer targets) and forwards to the app, moved to `appPort` on loopback. All containers of an
/// awsvpc task share one network namespace, so the proxy reaches the app at 127.0.0.1.
public struct WAASBinding: Sendable, Equatable {
    public var container: String
    public var externalPort: Int
    public var appPort: Int

    public init(container: String, externalPort: Int, appPort: Int) {
        self.container = container
        self.externalPort = externalPort
        self.appPort = appPort
    }

    /// `CONTAINER=EXTERNAL:APP`, as `--waas` and the sidecar's SCUTE_WAAS take it.
    public var text: String { "\(container)=\(externalPort):\(appPort)" }

    /// Reads `CONTAINER=EXTERNAL:APP` (e.g. `web=8080:8081`); the error names what is wrong.
    public static func parse(_ text: String) throws(EmbedError) -> WAASBinding {
        let usage = "expected CONTAINER=EXTERNAL:APP, e.g. web=8080:8081"
        guard let eq = text.firstIndex(of: "=") else { throw EmbedError.invalidInput("--waas \(text): \(usage)") }
        let container = String(text[..<eq])
        let ports = text[text.index(after: eq)...].split(separator: ":", omittingEmptySubsequences: false)
        guard !container.isEmpty, ports.count == 2 else { throw EmbedError.invalidInput("--waas \(text): \(usage)") }
        guard let external = Int(ports[0]), (1...65_535).contains(external) else {
            throw EmbedError.invalidInput("--waas \(text): the external port \(ports[0]) is not a port number (1-65535)")
        }
        guard let app = Int(ports[1]), (1...65_535).contains(app) else {
            throw EmbedError.invalidInput("--waas \(text): the app port \(ports[1]) is not a port number (1-65535)")
        }
        guard external != app else {
            throw EmbedError.invalidInput("--waas \(text): the app must move to another port than the one the proxy listens on")
        }
        return WAASBinding(container: container, externalPort: external, appPort: app)
    }

    /// Reads the sidecar's SCUTE_WAAS: bindings separated by commas.
    public static func parseList(_ text: String) throws(EmbedError) -> [WAASBinding] {
        var out: [WAASBinding] = []
        for part in text.split(separator: ",") { out.append(try parse(String(part))) }
        return out
    }

    /// SCUTE_WAAS's value for `bindings`.
    public static func listText(_ bindings: [WAASBinding]) -> String { bindings.map(\.text).joined(separator: ",") }
}

/// The effects `--waas-effect` accepts (the proxy's WAASEffect, which this pure target does not import).
public enum WAASEmbedEffect {
    public static let names = ["disable", "alert", "prevent", "ban"]
}
