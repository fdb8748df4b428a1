import NIOCore
import NIOHTTP1

/// One request/response pair on a client connection, from its head to the end of both sides.
final class Exchange {
    enum Phase {
        /// Buffering the body up to the inspection limit.
        case collecting
        /// Allowed; waiting for a connection to the app, parts queued.
        case connecting
        /// The request goes to the app; the response comes back.
        case forwarding
        /// The proxy answered itself (block page, ban, 502/504); the rest of the request body is dropped.
        case answered
        /// The app's response is complete; the rest of the request body is dropped.
        case done
    }

    let head: HTTPRequestHead
    let clientIP: String
    let isUpgrade: Bool
    var phase = Phase.collecting
    /// The body so far while collecting (all of it, the inspected prefix and the rest of the read).
    var body: ByteBuffer?
    var requestEnded = false
    /// The body went past the inspection limit: the rest is streamed.
    var streaming = false
    /// Request parts waiting for the app connection.
    var pending: [HTTPClientRequestPart] = []
    /// The whole request, kept when it fits in memory so a stale keep-alive connection can be retried once.
    var replay: [HTTPClientRequestPart]?
    var upstream: UpstreamConnection?
    var responseStarted = false
    var responseEnded = false
    var upgradeAccepted = false
    var clientKeepAlive: Bool
    var closeAfterResponse = false
    var retried = false

    init(head: HTTPRequestHead, clientIP: String, isUpgrade: Bool) {
        self.head = head
        self.clientIP = clientIP
        self.isUpgrade = isUpgrade
        self.clientKeepAlive = head.isKeepAlive && !isUpgrade
    }

    var bodyCount: Int { body?.readableBytes ?? 0 }

    func append(_ part: ByteBuffer) {
        if body == nil {
            body = part
        } else {
            var part = part
            body!.writeBuffer(&part)
        }
    }
}
