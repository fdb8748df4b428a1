import NIOWebSocket

/// How a defender's conversation sends: to its own WebSocket, or as a virtual channel of a task channel.
struct ChannelWriter: Sendable {
    let write: @Sendable (String) async throws -> Void
    let close: @Sendable (WebSocketErrorCode, String?) async -> Void

    func write(_ text: String) async throws { try await write(text) }
    func close(_ code: WebSocketErrorCode, _ reason: String?) async { await close(code, reason) }
}
