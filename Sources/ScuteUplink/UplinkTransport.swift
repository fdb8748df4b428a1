/// Where an ``Uplink`` opens its conversations with the console when it does not open a WebSocket of its own.
public protocol UplinkTransport: Sendable {
    /// Opens one defender's conversation, presenting `secret` (its credential, or the install bundle's token).
    func open(secret: String) async throws -> UplinkConversation
}

/// One defender's conversation: the console's messages in, ours out.
public struct UplinkConversation: Sendable {
    /// The console's messages; ends (or throws) when the conversation or its connection ends.
    public var messages: AsyncThrowingStream<String, any Error>
    public var write: @Sendable (String) async throws -> Void
    /// Ends the conversation (the console sees it closed).
    public var close: @Sendable () -> Void

    public init(
        messages: AsyncThrowingStream<String, any Error>,
        write: @escaping @Sendable (String) async throws -> Void,
        close: @escaping @Sendable () -> Void
    ) {
        self.messages = messages
        self.write = write
        self.close = close
    }
}

/// The write side of a conversation, by name (`outbound.write(text)`) in the uplink's tasks.
struct TextWriter: Sendable {
    let write: @Sendable (String) async throws -> Void

    func write(_ text: String) async throws { try await write(text) }
}
