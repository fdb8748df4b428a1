import ScuteCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What the embed puts into SCUTE_INSTALL_BUNDLE: base64 of `{"console": ..., "ca": PEM, "token": ...}`.
public struct InstallBundle: Sendable, Equatable {
    /// The channel address, e.g. `wss://console.example.com:8084`.
    public var consoleAddress: String
    /// The console CA certificate (PEM) the defender trusts for the channel.
    public var caCertificatePEM: String
    /// A defender token signed by the console.
    public var token: String

    public init(consoleAddress: String, caCertificatePEM: String, token: String) {
        self.consoleAddress = consoleAddress
        self.caCertificatePEM = caCertificatePEM
        self.token = token
    }

    public var json: JSONValue {
        ["console": .string(consoleAddress), "ca": .string(caCertificatePEM), "token": .string(token)]
    }

    /// The base64 text for SCUTE_INSTALL_BUNDLE.
    public var encoded: String { Data(json.serialized(.compact).utf8).base64EncodedString() }

    /// Reads SCUTE_INSTALL_BUNDLE.
    public static func decode(_ text: String) throws(ChannelProtocolError) -> InstallBundle {
        let trimmed = text.strippingWhitespace()
        guard let data = Data(base64Encoded: trimmed) else { throw ChannelProtocolError("install bundle: not base64") }
        guard let value = try? JSONValue.parse(bytes: Array(data)), let o = value.objectValue else {
            throw ChannelProtocolError("install bundle: not a JSON object")
        }
        guard let console = o["console"]?.stringValue, !console.isEmpty else { throw ChannelProtocolError("install bundle.console: missing") }
        guard let token = o["token"]?.stringValue, !token.isEmpty else { throw ChannelProtocolError("install bundle.token: missing") }
        return InstallBundle(consoleAddress: console, caCertificatePEM: o["ca"]?.stringValue ?? "", token: token)
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    func strippingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
