import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ScuteCore
import Synchronization
import Testing

@testable import ScuteConsole

/// Keeps every log record, for tests that check what reaches the log.
final class LogCapture: Sendable {
    struct Record: Sendable {
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])

    var all: [Record] { records.withLock { $0 } }

    func logger(level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: "scute.console.capture") { _ in Handler(capture: self) }
        logger.logLevel = level
        return logger
    }

    fileprivate func append(_ record: Record) { records.withLock { $0.append(record) } }

    private struct Handler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var all = metadata
            all.merge(event.metadata ?? [:]) { $1 }
            capture.append(Record(message: "\(event.message)", metadata: all.mapValues { "\($0)" }))
        }
    }
}

/// A value tasks share.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
}

/// What a raw connection got: the bytes, and whether the server closed it within the wait.
struct RawExchange {
    var bytes: [UInt8]
    var closed: Bool
    var text: String { String(decoding: bytes, as: UTF8.self) }
}

/// Connects to `port` on loopback (with TLS when `tls` is given), sends `send`, and reads until the server
/// closes the connection or `wait` has passed. A TLS handshake the server refuses ends as a close with no bytes.
func rawExchange(port: Int, tls: TLSConfiguration? = nil, send: String = "", wait: Duration) async throws -> RawExchange {
    let sslContext = try tls.map { try NIOSSLContext(configuration: $0) }
    let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port) { ch in
        ch.eventLoop.makeCompletedFuture {
            if let sslContext { try ch.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: sslContext, serverHostname: nil)) }
            return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: ch)
        }
    }
    let received = Shared<[UInt8]>([])
    let closed = try await channel.executeThenClose { inbound, outbound in
        if !send.isEmpty { try? await outbound.write(ByteBuffer(string: send)) }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    for try await chunk in inbound { received.value.withLock { $0 += chunk.readableBytesView } }
                } catch {
                    // A refused handshake or a reset: the server is done with us.
                }
                return !Task.isCancelled
            }
            group.addTask {
                try? await Task.sleep(for: wait)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }
    return RawExchange(bytes: received.value.withLock { $0 }, closed: closed)
}

/// What a raw defender channel got: the messages the console sent, and whether it closed the channel.
struct ChannelExchange {
    var messages: [ChannelMessage]
    var closed: Bool
}

/// Opens the defender channel with `token`, sends `frames` as text frames, and collects what the console sends
/// until it closes the channel or `wait` has passed.
func channelExchange(port: Int, token: String, frames: [String], wait: Duration = .seconds(3)) async throws -> ChannelExchange {
    let collected = Shared(ChannelExchange(messages: [], closed: false))
    var settings = WebSocketClientConfiguration()
    settings.additionalHeaders = [.authorization: "Bearer \(token)"]
    settings.closeTimeout = .milliseconds(200)
    let configuration = settings
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask {
            try await WebSocketClient.connect(url: "ws://127.0.0.1:\(port)/channel", configuration: configuration, logger: quietLogger) {
                inbound,
                outbound,
                _ in
                for frame in frames { try await outbound.write(.text(frame)) }
                for try await message in inbound.messages(maxSize: 1 << 22) {
                    guard case .text(let text) = message, case .success(let parsed) = ChannelMessage.parse(text) else { continue }
                    collected.value.withLock { $0.messages.append(parsed) }
                }
                collected.value.withLock { $0.closed = true }
            }
        }
        group.addTask { try await Task.sleep(for: wait) }
        _ = try await group.next()
        group.cancelAll()
    }
    return collected.value.withLock { $0 }
}
