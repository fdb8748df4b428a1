import NIOCore
import ScuteWAASProxy
import Testing

@Suite(.serialized)
struct ForwardingTests {
    @Test func cleanGetIsForwardedWithForwardingHeaders() async throws {
        try await withHarness { harness in
            let client = try harness.client()
            try client.send(get("/products?q=blue+shoes&page=2", "X-Forwarded-For: 203.0.113.9\r\n"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "ok:0")
            let seen = try #require(harness.app.requests.first)
            #expect(seen.uri == "/products?q=blue+shoes&page=2")
            #expect(seen.header("x-forwarded-for") == "203.0.113.9, 127.0.0.1")
            #expect(seen.header("x-forwarded-proto") == "http")
            #expect(seen.header("via") == "1.1 scute")
            #expect(seen.header("host") == "shop.example")
            #expect(harness.sink.events.isEmpty)
        }
    }

    @Test func cleanPostBodyArrivesIntact() async throws {
        try await withHarness { harness in
            let client = try harness.client()
            let form = "name=Ann+O%27Brien&message=select+the+best+option+from+the+list"
            try client.send(post("/contact", form: form))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "ok:\(form.utf8.count)")
            let seen = try #require(harness.app.requests.first)
            #expect(seen.body == Array(form.utf8))
            #expect(seen.header("x-forwarded-for") == "127.0.0.1")
        }
    }

    @Test func keepAliveReusesClientAndAppConnections() async throws {
        try await withHarness { harness in
            let client = try harness.client()
            for index in 0..<3 {
                try client.send(get("/item/\(index)"))
                #expect(try client.readResponse().status == 200)
            }
            let second = try harness.client()
            try second.send(get("/item/3"))
            #expect(try second.readResponse().status == 200)
            #expect(harness.app.requests.map(\.uri) == ["/item/0", "/item/1", "/item/2", "/item/3"])
            #expect(harness.app.connectionCount == 1)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        try await withHarness(policy: WAASPolicy().overriding(effect: .prevent)) { harness in
            let client = try harness.client()
            try client.send(get("/first") + get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E") + get("/third"))
            #expect(try client.readResponse().status == 200)
            #expect(try client.readResponse().status == 403)
            #expect(try client.readResponse().status == 200)
            #expect(harness.app.requests.map(\.uri) == ["/first", "/third"])
        }
    }

    @Test func bodyPastTheInspectionLimitIsStreamedWhole() async throws {
        var policy = WAASPolicy()
        policy.bodyInspectionLimit = 16 * 1024
        try await withHarness(policy: policy) { harness in
            let client = try harness.client()
            let body = (0..<(1024 * 1024)).map { UInt8(ascii: "a") + UInt8($0 % 26) }
            let head =
                "POST /upload HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: t\r\nAccept: */*\r\n"
                + "Content-Type: text/plain\r\nContent-Length: \(body.count)\r\n\r\n"
            try client.send(Array(head.utf8) + body)
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "ok:\(body.count)")
            #expect(harness.app.requests.first?.body == body)
        }
    }

    @Test func chunkedBodyIsForwarded() async throws {
        try await withHarness { harness in
            let client = try harness.client()
            try client.send(
                "POST /notes HTTP/1.1\r\nHost: shop.example\r\nUser-Agent: t\r\nAccept: */*\r\nContent-Type: text/plain\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"
            )
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(harness.app.requests.first?.body == Array("hello world".utf8))
            #expect(harness.app.requests.first?.header("content-length") == "11")
        }
    }

    @Test func websocketUpgradeIsRelayed() async throws {
        try await withHarness { harness in
            let client = try harness.client()
            try client.send(
                get(
                    "/socket",
                    "Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                )
            )
            let response = try client.readResponse()
            #expect(response.status == 101)
            #expect(response.header("sec-websocket-accept") == "test-accept")
            #expect(harness.app.requests.first?.header("upgrade") == "websocket")
            let frame: [UInt8] = [0x81, 0x05] + Array("hello".utf8)
            try client.send(frame)
            #expect(try client.read(count: frame.count) == frame)
            try client.send("second message")
            #expect(try client.read(count: 14) == Array("second message".utf8))
        }
    }

    @Test func appDownGivesBadGateway() async throws {
        try await withHarness { harness in
            await harness.app.stop()
            let client = try harness.client()
            try client.send(get("/"))
            #expect(try client.readResponse().status == 502)
        }
    }

    @Test func silentAppGivesGatewayTimeout() async throws {
        var limits = WAASProxyLimits()
        limits.responseTimeout = .milliseconds(100)
        try await withHarness(limits: limits) { harness in
            let client = try harness.client()
            try client.send(get("/slow"))
            #expect(try client.readResponse().status == 504)
            try client.send(get("/after"))
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func shutdownLetsTheRequestInFlightFinish() async throws {
        let harness = try await Harness.start()
        let client = try harness.client()
        try client.send(get("/slow"))
        while harness.app.requests.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
        async let stopped: Void = harness.proxy.shutdown(grace: .seconds(5))
        let response = try client.readResponse()
        await stopped
        #expect(response.status == 200)
        #expect(response.text == "slow")
        #expect(throws: (any Error).self) { try harness.client() }
        await harness.app.stop()
        try await harness.group.shutdownGracefully()
    }
}
