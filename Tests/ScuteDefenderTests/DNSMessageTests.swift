import ScuteCore
import Testing

@testable import ScuteDefender

@Suite struct DNSMessageTests {
    @Test func queryRoundTrip() throws {
        let q = DNSMessage.query(id: 0x1234, name: "Example.COM", type: DNSMessage.typeA)
        let m = try #require(DNSMessage(bytes: q))
        #expect(m.id == 0x1234)
        #expect(!m.isResponse)
        #expect(m.queryName == "example.com")
        #expect(m.questions.first?.type == 1)
    }

    @Test func nameErrorKeepsIdAndQuestion() throws {
        let q = DNSMessage.query(id: 77, name: "evil.example", type: DNSMessage.typeAAAA)
        let r = try #require(DNSMessage.nameError(for: q))
        let m = try #require(DNSMessage(bytes: r))
        #expect(m.id == 77)
        #expect(m.isResponse)
        #expect(m.responseCode == 3)
        #expect(m.questions == [DNSMessage.Question(name: "evil.example", type: 28, qclass: 1)])
        #expect(m.answers.isEmpty)
        #expect(r[2] & 0x01 == 0x01)  // RD copied
    }

    @Test func answersWithCompressionAndCNAME() throws {
        // Hand-built: q=www.example.com A; www CNAME web.example.com; web A 93.184.216.34 ttl 300.
        var b: [UInt8] = [0, 9, 0x81, 0x80, 0, 1, 0, 2, 0, 0, 0, 0]
        b += [3] + Array("www".utf8) + [7] + Array("example".utf8) + [3] + Array("com".utf8) + [0, 0, 1, 0, 1]
        b += [0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6, 3] + Array("web".utf8) + [0xc0, 16]
        b += [0xc0, 45, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 93, 184, 216, 34]
        let m = try #require(DNSMessage(bytes: b))
        #expect(m.answers.count == 2)
        #expect(m.answers[0].target == "web.example.com")
        #expect(m.answers[1].name == "web.example.com")
        #expect(m.answers[1].address == IPAddress("93.184.216.34"))
        #expect(m.answers[1].ttl == 300)
    }

    @Test func testServerAnswers() throws {
        let q = DNSMessage.query(id: 5, name: "db.internal", type: DNSMessage.typeAAAA)
        let addresses = [IPAddress("fd00::5"), IPAddress("10.0.0.5")].compactMap { $0 }
        let r = try #require(DNSMessage.answer(to: q, addresses: addresses, ttl: 30))
        let m = try #require(DNSMessage(bytes: r))
        #expect(m.answers.map(\.address) == [IPAddress("fd00::5")])
    }

    @Test(arguments: [
        [UInt8](), [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1],  // pointer loop
        [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 1, 2],  // label past the end
    ])
    func rejectsMalformed(bytes: [UInt8]) {
        #expect(DNSMessage(bytes: bytes) == nil)
    }
}
