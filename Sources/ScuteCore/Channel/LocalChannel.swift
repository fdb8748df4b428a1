/// One message between an in-task defender and the sidecar relay: a line of compact JSON
/// `{"type": ..., "id": ..., "payload": {...}}` on the unix socket `<volume>/channel.sock`.
///
/// Defender to sidecar: `hello` (the payload of the console channel's hello), `audits` (`id` is the batch's
/// sequence number, payload `{"events": [...]}`). Sidecar to defender: `policy` (payload
/// `{"version": N, "rule": name|null, "policy": {"rules": [...]}, "compliance": {...}}`, `compliance` as the
/// console sent it), `ack` (the batch's `id`, sent once the batch is durable in the sidecar's spool).
public struct LocalMessage: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case hello, policy, audits, ack
        /// Defender to sidecar: the latest compliance or inventory report, `{"kind", "report"}`; the sidecar
        /// forwards it on the console channel.
        case report
    }

    /// The socket's file name inside the shared volume.
    public static let socketName = "channel.sock"
    /// The longest line either side accepts (a policy or a batch of audits).
    public static let maxLineLength = 16 << 20

    public var type: Kind
    public var id: String
    public var payload: JSONObject

    public init(type: Kind, id: String = "", payload: JSONObject = JSONObject()) {
        self.type = type
        self.id = id
        self.payload = payload
    }

    /// A policy push, with the compliance settings the console sent next to the policy, if any. `cached`: the
    /// sidecar has it from an earlier run, not from the console now (`"cached": true`; the security startup
    /// mode does not start the app on it).
    public static func policy(
        version: Int64,
        rule: String?,
        document: JSONValue,
        compliance: JSONValue? = nil,
        cached: Bool = false
    ) -> LocalMessage {
        var payload = JSONObject(["version": .number(String(version)), "rule": rule.map(JSONValue.string) ?? .null, "policy": document])
        if let compliance { payload["compliance"] = compliance }
        if cached { payload["cached"] = true }
        return LocalMessage(type: .policy, payload: payload)
    }

    /// Whether a policy push carries a policy the sidecar kept from an earlier run.
    public var isCachedPolicy: Bool { type == .policy && payload["cached"]?.boolValue == true }

    /// A batch of audit events (as JSON objects) with its sequence number.
    public static func audits(sequence: UInt64, events: [JSONValue]) -> LocalMessage {
        LocalMessage(type: .audits, id: String(sequence), payload: JSONObject(["events": .array(events)]))
    }

    /// The acknowledgement of batch `sequence`.
    public static func ack(_ sequence: String) -> LocalMessage { LocalMessage(type: .ack, id: sequence) }

    /// The message as one line, newline included (compact JSON escapes every newline inside strings).
    public var line: String { ChannelEnvelope.text(type: type.rawValue, id: id, payload: payload) + "\n" }

    /// Parses one line (without its newline).
    public static func parse(_ line: String) throws(LocalChannelError) -> LocalMessage {
        switch ChannelEnvelope.parse(line, rejectUnknownFields: false) {
        case .failure(let failure):
            throw .malformed(failure.describe(prefix: ""))
        case .success(let envelope):
            guard let type = Kind(rawValue: envelope.type) else { throw .malformed("type: unknown message type \(envelope.type)") }
            return LocalMessage(type: type, id: envelope.id, payload: envelope.payload)
        }
    }

    /// The policy push's version, rule name and document, or nil when the payload has no policy object.
    public var policyContent: (version: Int64, rule: String?, document: JSONValue)? {
        guard type == .policy, let doc = payload["policy"], doc.objectValue != nil else { return nil }
        return (payload["version"]?.intValue.map(Int64.init) ?? 0, payload["rule"]?.stringValue, doc)
    }

    /// The events of an `audits` batch.
    public var events: [JSONValue] { payload["events"]?.arrayValue ?? [] }
}

/// A local channel message that breaks the protocol.
public struct LocalChannelError: Error, Equatable, CustomStringConvertible {
    private enum Kind: Equatable {
        case malformed(String)
        case lineTooLong
    }

    private let kind: Kind

    static func malformed(_ reason: String) -> LocalChannelError { LocalChannelError(kind: .malformed(reason)) }
    static var lineTooLong: LocalChannelError { LocalChannelError(kind: .lineTooLong) }

    public var description: String {
        switch kind {
        case .malformed(let reason): return "local channel message: \(reason)"
        case .lineTooLong: return "local channel message: longer than \(LocalMessage.maxLineLength) bytes"
        }
    }
}

/// Splits a byte stream into lines: feed it what a read returned, get back the complete lines.
public struct LineBuffer: Sendable {
    private var pending: [UInt8] = []
    private let limit: Int

    public init(limit: Int = LocalMessage.maxLineLength) { self.limit = limit }

    /// Appends bytes and returns the lines they completed (without newlines; empty lines skipped).
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) throws(LocalChannelError) -> [String] where Bytes.Element == UInt8 {
        var lines: [String] = []
        for byte in bytes {
            if byte == 10 {
                if !pending.isEmpty { lines.append(String(decoding: pending, as: UTF8.self)) }
                pending.removeAll(keepingCapacity: true)
            } else {
                pending.append(byte)
                if pending.count > limit {
                    pending = []
                    throw .lineTooLong
                }
            }
        }
        return lines
    }
}
