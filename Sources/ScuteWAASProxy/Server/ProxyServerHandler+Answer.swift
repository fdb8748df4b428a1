import NIOCore
import NIOHTTP1

extension ProxyServerHandler {
    /// Answers 403 with the block page; the connection closes when the request body was not read to its end.
    func answerBlocked(_ exchange: Exchange, eventID: String) {
        guard let context else { return }
        let page = BlockPage.render(eventID: eventID, allocator: context.channel.allocator)
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "text/html; charset=utf-8")
        headers.add(name: "cache-control", value: "no-store")
        headers.add(name: "x-waas-event-id", value: eventID)
        respond(exchange, status: .forbidden, headers: headers, body: page)
    }

    /// Answers a gateway error (the app is unreachable or too slow) without a body.
    func answer(_ exchange: Exchange, status: HTTPResponseStatus) {
        respond(exchange, status: status, headers: HTTPHeaders(), body: nil)
    }

    private func respond(_ exchange: Exchange, status: HTTPResponseStatus, headers: HTTPHeaders, body: ByteBuffer?) {
        guard let context else { return }
        exchange.phase = .answered
        exchange.responseStarted = true
        exchange.responseEnded = true
        if !exchange.requestEnded || quiescing { exchange.clientKeepAlive = false }
        var headers = headers
        headers.add(name: "content-length", value: String(body?.readableBytes ?? 0))
        if !exchange.clientKeepAlive {
            headers.add(name: "connection", value: "close")
        } else if exchange.head.version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        let version = exchange.head.version.major == 1 ? exchange.head.version : .http1_1
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if let body { context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil) }
        // Finish before writing the end: the pipelining handler may hand over the next request during the write.
        if exchange.clientKeepAlive { finishExchange() }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !exchange.clientKeepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            drainBacklog()
        }
    }
}
