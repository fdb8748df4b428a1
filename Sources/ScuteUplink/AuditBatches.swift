import ScuteCore

/// Splits a spooled batch into `audits` messages the console takes: each at most `maxBytes` of JSON text
/// (the console closes a channel that sends a larger frame, and the batch would be sent again forever) and at
/// most `maxEvents` events. An event that alone is larger than a message can never be delivered: it is
/// left out and counted.
struct AuditBatches {
    /// Room for the envelope around the events: `{"type":"audits","id":"...","payload":{"events":[...]}}`.
    static let envelopeBytes = 256

    var parts: [[JSONValue]] = []
    var dropped = 0

    init(_ events: [JSONValue], maxBytes: Int, maxEvents: Int) {
        let budget = max(1, maxBytes - Self.envelopeBytes)
        var current: [JSONValue] = []
        var size = 0
        for event in events {
            let bytes = event.serialized(.compact).utf8.count + 1
            if bytes > budget {
                dropped += 1
                continue
            }
            if !current.isEmpty, size + bytes > budget || current.count >= max(1, maxEvents) {
                parts.append(current)
                current = []
                size = 0
            }
            current.append(event)
            size += bytes
        }
        if !current.isEmpty { parts.append(current) }
    }

    /// The message id of part `index` of spooled batch `sequence`: the sequence alone when there is one part.
    func id(sequence: UInt64, part index: Int) -> String {
        parts.count == 1 ? String(sequence) : "\(sequence).\(index + 1)"
    }
}
