/// One message on the defender channel: `{"type": ..., "id": ..., "payload": {...}}` as a WebSocket text frame.
///
/// Defender to console: `hello` (identity), `audits` (a batch; `id` is its sequence number), `heartbeat`.
/// Console to defender: `welcome` and `policy` (the policy for this defender and its version), `ack` (same
/// `id` as the batch, sent only once the batch is stored), `heartbeat`, `error` (then the console closes).
public struct ChannelMessage: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case hello, welcome, policy, audits, ack, heartbeat, error
        /// Defender to console: the latest compliance or inventory report (`{"kind", "report"}`); latest wins.
        case report
    }

    /// The largest `report` message either side sends or takes, bytes.
    public static let maxReportBytes = 8 << 20

    /// The protocol version in `hello` and `welcome`. 2: the console issues a defender its own credential in
    /// `welcome` (`credential`), which it presents instead of the install bundle from then on.
    public static let protocolVersion = 2

    public var type: Kind
    public var id: String
    public var payload: JSONObject

    public init(type: Kind, id: String = "", payload: JSONObject = JSONObject()) {
        self.type = type
        self.id = id
        self.payload = payload
    }

    public var text: String { ChannelEnvelope.text(type: type.rawValue, id: id, payload: payload) }

    /// Parses a frame; the error names what is wrong.
    public static func parse(_ text: String) -> Result<ChannelMessage, ChannelProtocolError> {
        switch ChannelEnvelope.parse(text, rejectUnknownFields: true) {
        case .failure(let failure):
            return .failure(ChannelProtocolError(failure.describe(prefix: "message")))
        case .success(let envelope):
            guard let kind = Kind(rawValue: envelope.type) else {
                return .failure(ChannelProtocolError("message.type: unknown type \(envelope.type)"))
            }
            return .success(ChannelMessage(type: kind, id: envelope.id, payload: envelope.payload))
        }
    }
}

/// The `{"type", "id", "payload"}` envelope shared by the console channel and the in-task local channel.
package struct ChannelEnvelope: Sendable, Equatable {
    package var type: String
    package var id: String
    package var payload: JSONObject

    /// What is wrong with a message, worded by each channel in its own terms.
    package enum Failure: Error, Equatable {
        case notJSON(String)
        case notAnObject
        case unknownField(String)
        case missingType
        case badID
        case badPayload

        package func describe(prefix: String) -> String {
            let dotted = prefix.isEmpty ? "" : prefix + "."
            switch self {
            case .notJSON(let reason): return prefix.isEmpty ? "not valid JSON: \(reason)" : "\(prefix) is not valid JSON: \(reason)"
            case .notAnObject: return prefix.isEmpty ? "expected an object" : "\(prefix): expected an object"
            case .unknownField(let key): return "\(dotted)\(key): unknown field"
            case .missingType: return "\(dotted)type: missing"
            case .badID: return "\(dotted)id: expected a string"
            case .badPayload: return "\(dotted)payload: expected an object"
            }
        }
    }

    /// The compact JSON text of an envelope.
    package static func text(type: String, id: String, payload: JSONObject) -> String {
        JSONValue.object(JSONObject(["type": .string(type), "id": .string(id), "payload": .object(payload)])).serialized(.compact)
    }

    /// Reads the envelope; a number `id` is taken as its text, a missing or null payload as `{}`.
    package static func parse(_ text: String, rejectUnknownFields: Bool) -> Result<ChannelEnvelope, Failure> {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            return .failure(.notJSON(error.description))
        }
        guard let o = value.objectValue else { return .failure(.notAnObject) }
        if rejectUnknownFields, let key = o.keys.first(where: { !["type", "id", "payload"].contains($0) }) {
            return .failure(.unknownField(key))
        }
        guard let type = o["type"]?.stringValue else { return .failure(.missingType) }
        let id: String
        switch o["id"] {
        case nil, .null?: id = ""
        case .string(let s)?: id = s
        case .number(let n)?: id = n
        default: return .failure(.badID)
        }
        var payload = JSONObject()
        if let p = o["payload"], p != .null {
            guard let po = p.objectValue else { return .failure(.badPayload) }
            payload = po
        }
        return .success(ChannelEnvelope(type: type, id: id, payload: payload))
    }
}

/// A channel message that breaks the protocol.
public struct ChannelProtocolError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Who is on the other end of a channel, as `hello` says.
public struct DefenderHello: Sendable, Equatable {
    /// Stable id the defender keeps in its data folder.
    public var defenderID: String
    public var appID: String
    public var taskFamily: String
    public var taskARN: String
    public var container: String
    public var image: String
    public var version: String
    /// The channel protocol the defender speaks (`protocol`; 1 when left out).
    public var protocolVersion: Int = ChannelMessage.protocolVersion

    public init(
        defenderID: String,
        appID: String,
        taskFamily: String = "",
        taskARN: String = "",
        container: String = "",
        image: String = "",
        version: String = ""
    ) {
        self.defenderID = defenderID
        self.appID = appID
        self.taskFamily = taskFamily
        self.taskARN = taskARN
        self.container = container
        self.image = image
        self.version = version
    }

    static let fields = ["defenderID", "appID", "taskFamily", "taskARN", "container", "image", "version", "protocol"]

    public var payload: JSONObject {
        JSONObject([
            "protocol": .int(protocolVersion),
            "defenderID": .string(defenderID),
            "appID": .string(appID),
            "taskFamily": .string(taskFamily),
            "taskARN": .string(taskARN),
            "container": .string(container),
            "image": .string(image),
            "version": .string(version),
        ])
    }

    public init(payload p: JSONObject) throws(ChannelProtocolError) {
        for key in p.keys where !Self.fields.contains(key) { throw ChannelProtocolError("hello.\(key): unknown field") }
        func s(_ k: String, required: Bool = false) throws(ChannelProtocolError) -> String {
            guard let v = p[k], v != .null else {
                if required { throw ChannelProtocolError("hello.\(k): missing") }
                return ""
            }
            guard let str = v.stringValue, str.utf8.count <= 512 else {
                throw ChannelProtocolError("hello.\(k): expected a string of at most 512 bytes")
            }
            return str
        }
        let id = try s("defenderID", required: true)
        guard !id.isEmpty else { throw ChannelProtocolError("hello.defenderID: must not be empty") }
        self.init(
            defenderID: id,
            appID: try s("appID"),
            taskFamily: try s("taskFamily"),
            taskARN: try s("taskARN"),
            container: try s("container"),
            image: try s("image"),
            version: try s("version")
        )
        switch p["protocol"] {
        case nil, .null?: protocolVersion = 1
        case .number(let n)? where Int(n).map({ $0 >= 1 }) == true: protocolVersion = Int(n) ?? 1
        default: throw ChannelProtocolError("hello.protocol: expected a positive integer")
        }
    }
}
