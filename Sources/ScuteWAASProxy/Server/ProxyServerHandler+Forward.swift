import Logging
import NIOCore
import NIOHTTP1

extension ProxyServerHandler: UpstreamDelegate {
    /// Queues the request for the app and gets a connection (a fresh one for upgrades, else a pooled one).
    func startForwarding(_ exchange: Exchange) {
        exchange.phase = .connecting
        let length = exchange.requestEnded ? exchange.bodyCount : nil
        exchange.pending = [.head(HeaderRewrite.upstreamHead(exchange.head, peerIP: peerIP, bodyLength: length))]
        if let body = exchange.body, body.readableBytes > 0 { exchange.pending.append(.body(.byteBuffer(body))) }
        exchange.body = nil
        if exchange.requestEnded {
            exchange.pending.append(.end(nil))
            exchange.replay = exchange.pending
        }
        connect(exchange, fresh: exchange.isUpgrade)
    }

    private func connect(_ exchange: Exchange, fresh: Bool) {
        guard let pool else {
            answer(exchange, status: .badGateway)
            return
        }
        let completion: (Result<UpstreamConnection, any Error>) -> Void = { [self] result in
            guard self.exchange === exchange, exchange.phase == .connecting else {
                if case .success(let connection) = result { pool.release(connection) }
                return
            }
            switch result {
            case .success(let connection):
                attach(exchange, to: connection)
            case .failure(let error):
                shared.logger.warning("app connection failed", metadata: ["waas.error": "\(error)"])
                answer(exchange, status: .badGateway)
            }
        }
        if fresh { pool.connect(completion) } else { pool.acquire(completion) }
    }

    private func attach(_ exchange: Exchange, to connection: UpstreamConnection) {
        exchange.upstream = connection
        exchange.phase = .forwarding
        connection.handler.delegate = self
        for part in exchange.pending { connection.handler.send(part) }
        exchange.pending = []
        connection.handler.flush()
        if connection.channel.isWritable { resumeClientReads() }
    }

    var clientWritable: Bool { context?.channel.isWritable ?? true }

    func upstreamHead(_ head: HTTPResponseHead) {
        guard let exchange, let context else { return }
        if exchange.isUpgrade && head.status == .switchingProtocols {
            exchange.upgradeAccepted = true
            context.write(wrapOutboundOut(.head(HeaderRewrite.upgradeResponseHead(head))), promise: nil)
            return
        }
        exchange.responseStarted = true
        if quiescing || exchange.closeAfterResponse || !exchange.requestEnded && exchange.streaming { exchange.clientKeepAlive = false }
        let clientHead = HeaderRewrite.clientHead(head, version: exchange.head.version, keepAlive: exchange.clientKeepAlive)
        context.write(wrapOutboundOut(.head(clientHead)), promise: nil)
    }

    func upstreamBody(_ body: ByteBuffer) {
        guard exchange != nil, let context else { return }
        context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
    }

    func upstreamReadComplete() {
        context?.flush()
    }

    func upstreamEnd(_ trailers: HTTPHeaders?, keepAlive: Bool) {
        guard let exchange, let connection = exchange.upstream, let context else { return }
        if exchange.upgradeAccepted {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            switchToRelay(exchange, connection: connection)
            return
        }
        exchange.upstream = nil
        exchange.responseEnded = true
        let requestSent = exchange.requestEnded && exchange.phase == .forwarding
        exchange.phase = .done
        if keepAlive && requestSent && !exchange.isUpgrade {
            pool?.release(connection)
        } else {
            connection.handler.delegate = nil
            connection.channel.close(promise: nil)
        }
        // Finish before writing the end: the pipelining handler may hand over the next request during the write.
        if exchange.clientKeepAlive && exchange.requestEnded { finishExchange() }
        let done = context.writeAndFlush(wrapOutboundOut(.end(trailers)))
        if !exchange.clientKeepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else if exchange.requestEnded {
            drainBacklog()
        }
    }

    func upstreamFailed(_ error: any Error) {
        guard let exchange, let context else { return }
        let failed = exchange.upstream
        exchange.upstream = nil
        if let failed {
            failed.handler.delegate = nil
            failed.channel.close(promise: nil)
        }
        if exchange.responseStarted || exchange.upgradeAccepted {
            context.close(promise: nil)
            return
        }
        if let replay = exchange.replay, failed?.reused == true, !exchange.retried, !(error is UpstreamTimeout) {
            // A keep-alive connection the app had closed: send the whole request once more on a new one.
            exchange.retried = true
            exchange.phase = .connecting
            exchange.pending = replay
            connect(exchange, fresh: true)
            return
        }
        answer(exchange, status: error is UpstreamTimeout ? .gatewayTimeout : .badGateway)
    }

    func upstreamWritabilityChanged(_ writable: Bool) {
        if writable { resumeClientReads() }
    }
}

/// The app sent no byte for `responseTimeout`.
struct UpstreamTimeout: Error {}
