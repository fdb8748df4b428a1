import NIOCore
import ScuteWAAS
import ScuteWAASProxy
import Testing

@Suite(.serialized)
struct EnforcementTests {
    static let attack = "/products?id=1%27%20OR%201%3D1--"

    @Test func preventAnswersTheBlockPageWithTheEventID() async throws {
        try await withHarness(policy: WAASPolicy().overriding(effect: .prevent)) { harness in
            let client = try harness.client()
            try client.send(get(Self.attack))
            let response = try client.readResponse()
            #expect(response.status == 403)
            let eventID = try #require(response.header("x-waas-event-id"))
            #expect(eventID.count == 16)
            #expect(response.text.contains(eventID))
            #expect(response.header("content-type") == "text/html; charset=utf-8")
            #expect(harness.app.requests.isEmpty)
            let event = try #require(harness.sink.events.first { $0.category == .sqli })
            #expect(event.eventID == eventID)
            #expect(event.effect == .prevent)
            #expect(event.method == "GET")
            #expect(event.path == "/products")
            #expect(event.host == "shop.example")
            #expect(event.clientIP == "127.0.0.1")
            #expect(event.location == "query:id")
            // The connection stays usable for the next request.
            try client.send(get("/products?id=12"))
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func aHealthCheckWithANumericHostAndBusyboxWgetIsForwardedUnderPrevent() async throws {
        try await withHarness(policy: WAASPolicy().overriding(effect: .prevent)) { harness in
            let client = try harness.client()
            // What a load balancer's health check and busybox's wget send: recorded as notices, never blocked alone.
            try client.send("GET /health HTTP/1.1\r\nHost: 10.0.1.23:8080\r\nUser-Agent: Wget\r\nConnection: keep-alive\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(harness.app.requests.count == 1)
            let notice = try #require(harness.sink.events.first { $0.ruleID == "protocol-1026" })
            #expect(notice.effect == .alert)
            #expect(!harness.sink.events.contains { $0.category == .cmdi })
            // With an attack beside it, the request is blocked, and the notice carries the block's effect.
            try client.send("GET /health?id=1%27%20OR%201%3D1-- HTTP/1.1\r\nHost: 10.0.1.23:8080\r\nUser-Agent: Wget\r\n\r\n")
            #expect(try client.readResponse().status == 403)
            #expect(harness.app.requests.count == 1)
        }
    }

    @Test func alertForwardsTheAttackAndRecordsAnEvent() async throws {
        try await withHarness { harness in
            let client = try harness.client()
            try client.send(get(Self.attack))
            #expect(try client.readResponse().status == 200)
            #expect(harness.app.requests.count == 1)
            let event = try #require(harness.sink.events.first { $0.category == .sqli })
            #expect(event.effect == .alert)
        }
    }

    @Test func attackInAPostBodyIsBlocked() async throws {
        try await withHarness(policy: WAASPolicy().overriding(effect: .prevent)) { harness in
            let client = try harness.client()
            try client.send(post("/comment", form: "text=%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E"))
            #expect(try client.readResponse().status == 403)
            #expect(harness.sink.events.contains { $0.category == .xss && $0.location == "form:text" })
            #expect(harness.app.requests.isEmpty)
        }
    }

    @Test func banRefusesTheClientAfterwards() async throws {
        var policy = WAASPolicy()
        policy.effects[.sqli] = .ban
        policy.banSeconds = 60
        try await withHarness(policy: policy) { harness in
            let client = try harness.client()
            try client.send(get(Self.attack))
            #expect(try client.readResponse().status == 403)
            #expect(harness.proxy.bannedCount == 1)
            let later = try harness.client()
            try later.send(get("/products?id=12"))
            let response = try later.readResponse()
            #expect(response.status == 403)
            #expect(response.header("connection") == "close")
            #expect(harness.app.requests.isEmpty)
        }
    }

    @Test func banBehindALoadBalancerUsesTheForwardedAddress() async throws {
        var policy = WAASPolicy()
        policy.effects[.sqli] = .ban
        policy.clientAddress = .forwardedFor
        try await withHarness(policy: policy) { harness in
            let client = try harness.client()
            try client.send(get(Self.attack, "X-Forwarded-For: 198.51.100.7\r\n"))
            #expect(try client.readResponse().status == 403)
            #expect(harness.sink.events.first?.clientIP == "198.51.100.7")
            let other = try harness.client()
            try other.send(get("/products?id=12", "X-Forwarded-For: 203.0.113.20\r\n"))
            #expect(try other.readResponse().status == 200)
            let same = try harness.client()
            try same.send(get("/products?id=12", "X-Forwarded-For: 10.1.1.1, 198.51.100.7\r\n"))
            #expect(try same.readResponse().status == 403)
        }
    }

    @Test func disabledCategoryIsNotInspected() async throws {
        var policy = WAASPolicy(defaultEffect: .prevent)
        policy.effects[.sqli] = .disable
        try await withHarness(policy: policy) { harness in
            let client = try harness.client()
            try client.send(get(Self.attack))
            #expect(try client.readResponse().status == 200)
            #expect(!harness.sink.events.contains { $0.category == .sqli })
        }
    }

    @Test func exceptionDropsTheFinding() async throws {
        var policy = WAASPolicy(defaultEffect: .prevent)
        policy.exceptions = [WAASException(path: .prefix("/products"), locations: ["query:id"])]
        try await withHarness(policy: policy) { harness in
            let client = try harness.client()
            try client.send(get(Self.attack))
            #expect(try client.readResponse().status == 200)
            try client.send(get("/search?id=1%27%20OR%201%3D1--"))
            #expect(try client.readResponse().status == 403)
        }
    }

    @Test(arguments: [
        "GARBAGE\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: shop.example\r\nBad Header\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: shop.example\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\nhello",
        "POST / HTTP/1.1\r\nHost: shop.example\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "GET / HTTP/1.1\r\nHost: a\r\nX: \u{1}\r\n\r\n",
    ])
    func malformedRequestGets400AndTheProxyKeepsServing(request: String) async throws {
        try await withHarness { harness in
            let client = try harness.client()
            try client.send(request)
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(try client.isClosedByPeer())
            let next = try harness.client()
            try next.send(get("/"))
            #expect(try next.readResponse().status == 200)
        }
    }

    @Test func slowClientIsTimedOut() async throws {
        var limits = WAASProxyLimits()
        limits.headerTimeout = .milliseconds(200)
        try await withHarness(limits: limits) { harness in
            let client = try harness.client()
            try client.send("GET / HTTP/1.1\r\nHost: shop.example\r\nUser-Ag")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(try client.isClosedByPeer())
            #expect(harness.app.requests.isEmpty)
        }
    }

    @Test func oversizedHeadIsRefused() async throws {
        var limits = WAASProxyLimits()
        limits.maxHeaderBytes = 4096
        try await withHarness(limits: limits) { harness in
            let client = try harness.client()
            try client.send("GET /" + String(repeating: "a", count: 64 * 1024) + " HTTP/1.1\r\nHost: shop.example\r\n\r\n")
            let response = try client.readResponse()
            #expect([400, 431].contains(response.status))
            #expect(harness.app.requests.isEmpty)
        }
    }

    @Test func connectionsPastTheLimitAreClosed() async throws {
        var limits = WAASProxyLimits()
        limits.maxConnections = 1
        try await withHarness(limits: limits) { harness in
            let first = try harness.client()
            try first.send(get("/"))
            #expect(try first.readResponse().status == 200)
            let second = try harness.client()
            #expect(try second.isClosedByPeer())
        }
    }
}
