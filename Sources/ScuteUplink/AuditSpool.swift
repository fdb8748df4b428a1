import Glibc
import ScuteCore
import Synchronization

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Audits waiting for the console, on disk: one file per batch (`<sequence>.jsonl`), written to a temporary
/// name, flushed and renamed, so a crash leaves whole batches or none. A batch is deleted once acknowledged.
public final class AuditSpool: Sendable {
    public let directory: String
    /// The most batches kept; past it the oldest are dropped (a console away for days must not fill the disk).
    public let maxBatches: Int
    private let nextSequence: Mutex<UInt64>
    private let droppedBatches = Mutex(0)

    public init(directory: String, maxBatches: Int = 10_000) throws {
        self.directory = directory
        self.maxBatches = maxBatches
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let existing = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let last = existing.compactMap { Self.sequence(of: $0) }.max() ?? 0
        self.nextSequence = Mutex(last + 1)
    }

    /// Appends a batch; durable when this returns.
    public func append(_ events: [JSONValue]) throws {
        guard !events.isEmpty else { return }
        let seq = nextSequence.withLock { value in
            defer { value += 1 }
            return value
        }
        let text = events.map { $0.serialized(.compact) }.joined(separator: "\n") + "\n"
        let name = Self.fileName(seq)
        let temp = directory + "/." + name + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ChannelProtocolError("spool: cannot create a batch file (errno \(errno))") }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                close(fd)
                unlink(temp)
                throw ChannelProtocolError("spool: write failed (errno \(errno))")
            }
            offset += n
        }
        fsync(fd)
        close(fd)
        guard rename(temp, directory + "/" + name) == 0 else { throw ChannelProtocolError("spool: rename failed (errno \(errno))") }
        let waiting = pending()
        if waiting.count > maxBatches {
            for old in waiting.prefix(waiting.count - maxBatches) { remove(old) }
            droppedBatches.withLock { $0 += waiting.count - maxBatches }
        }
    }

    /// Batches dropped because the spool was full, since this spool was opened.
    public var dropped: Int { droppedBatches.withLock { $0 } }

    /// The sequence numbers of the batches waiting, oldest first.
    public func pending() -> [UInt64] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).compactMap { Self.sequence(of: $0) }.sorted()
    }

    /// The events of one batch (lines that do not parse are dropped).
    public func events(_ seq: UInt64) -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: directory + "/" + Self.fileName(seq)) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    }

    /// Forgets an acknowledged batch.
    public func remove(_ seq: UInt64) {
        unlink(directory + "/" + Self.fileName(seq))
    }

    static func fileName(_ seq: UInt64) -> String {
        let s = String(seq)
        return String(repeating: "0", count: max(0, 20 - s.count)) + s + ".jsonl"
    }

    static func sequence(of name: String) -> UInt64? {
        guard name.hasSuffix(".jsonl"), !name.hasPrefix(".") else { return nil }
        return UInt64(name.dropLast(6))
    }
}
