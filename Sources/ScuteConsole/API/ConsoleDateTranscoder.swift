import Foundation
import OpenAPIRuntime
import ScuteCore
import ScuteStore

/// RFC 3339 dates: written with milliseconds, like audits; read with or without a fraction of a second.
struct ConsoleDateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        AuditEvent.iso8601(nanoseconds: Int64((date.timeIntervalSince1970 * 1000).rounded()) * 1_000_000)
    }

    func decode(_ text: String) throws -> Date {
        guard let ns = RFC3339.nanoseconds(text) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "expected an RFC 3339 time such as 2026-01-31T12:00:00Z")
            )
        }
        return Date(timeIntervalSince1970: TimeInterval(ns / 1000) / 1_000_000)
    }
}
