import ScuteCore

/// A DNS message (RFC 1035), as much as the forwarder needs: header, questions, and the address and
/// alias records of the answer section. Pure: bytes in, values out.
package struct DNSMessage: Sendable, Equatable {
    package struct Question: Sendable, Equatable {
        package var name: String
        package var type: UInt16
        package var qclass: UInt16
    }

    package struct Record: Sendable, Equatable {
        package var name: String
        package var type: UInt16
        package var ttl: UInt32
        /// A and AAAA: the address; CNAME: nil (see `target`).
        package var address: IPAddress?
        package var target: String?
    }

    package static let typeA: UInt16 = 1
    package static let typeCNAME: UInt16 = 5
    package static let typeAAAA: UInt16 = 28

    package var id: UInt16
    package var flags: UInt16
    package var questions: [Question]
    package var answers: [Record]
    /// The header's authority and additional counts.
    package var authorityCount: Int
    package var additionalCount: Int
    /// Whether the additional section is exactly one EDNS OPT record and nothing follows the message
    /// (checked for queries: no answers, no authority).
    private var additionalIsOnlyOPT: Bool
    /// Whether the bytes end where the parsed sections do.
    private var endsCleanly: Bool

    package var isResponse: Bool { flags & 0x8000 != 0 }
    package var responseCode: UInt16 { flags & 0x000f }

    /// Parses a message; nil when it is malformed (bad lengths, compression loops).
    package init?(bytes: [UInt8]) {
        guard bytes.count >= 12 else { return nil }
        var r = Reader(bytes: bytes, offset: 12)
        id = UInt16(bytes[0]) << 8 | UInt16(bytes[1])
        flags = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
        let qd = Int(UInt16(bytes[4]) << 8 | UInt16(bytes[5]))
        let an = Int(UInt16(bytes[6]) << 8 | UInt16(bytes[7]))
        authorityCount = Int(UInt16(bytes[8]) << 8 | UInt16(bytes[9]))
        additionalCount = Int(UInt16(bytes[10]) << 8 | UInt16(bytes[11]))
        additionalIsOnlyOPT = false
        endsCleanly = false
        guard qd <= 16 else { return nil }
        questions = []
        for _ in 0..<qd {
            guard let name = r.name(), let type = r.u16(), let qclass = r.u16() else { return nil }
            questions.append(Question(name: name, type: type, qclass: qclass))
        }
        answers = []
        for _ in 0..<min(an, 256) {
            guard let name = r.name(), let type = r.u16(), r.u16() != nil, let ttl = r.u32(), let len = r.u16() else { return nil }
            let start = r.offset
            guard start + Int(len) <= bytes.count else { return nil }
            var rec = Record(name: name, type: type, ttl: ttl, address: nil, target: nil)
            if type == Self.typeA && len == 4 || type == Self.typeAAAA && len == 16 {
                rec.address = IPAddress(bytes: Array(bytes[start..<start + Int(len)]))
            } else if type == Self.typeCNAME {
                var sub = Reader(bytes: bytes, offset: start)
                rec.target = sub.name()
            }
            r.offset = start + Int(len)
            answers.append(rec)
        }
        if an == 0 && authorityCount == 0 {
            endsCleanly = r.offset == bytes.count
            if additionalCount == 1, r.name() == "", r.u16() == Self.typeOPT, r.u16() != nil, r.u32() != nil, let len = r.u16() {
                additionalIsOnlyOPT = r.offset + Int(len) == bytes.count
            }
        }
    }

    package static let typeOPT: UInt16 = 41

    /// A query as resolvers send them: QR clear, opcode QUERY, one question of class IN (or ANY), no
    /// answer or authority records, at most an EDNS OPT record, nothing after it. Anything else sent to
    /// a DNS port is not forwarded (a tunnel, another protocol on port 53, a crafted message).
    package var isWellFormedQuery: Bool {
        guard !isResponse, flags & 0x7800 == 0, questions.count == 1, answers.isEmpty, authorityCount == 0 else { return false }
        guard let q = questions.first, q.qclass == 1 || q.qclass == 255, !q.name.isEmpty || q.type == 2 else { return false }
        switch additionalCount {
        case 0: return endsCleanly
        case 1: return additionalIsOnlyOPT
        default: return false
        }
    }

    /// Whether this is the answer to `query`: a response with its id and its question.
    package func isAnswer(to query: DNSMessage) -> Bool {
        guard isResponse, id == query.id, questions.count == 1, let q = questions.first, let asked = query.questions.first else { return false }
        return q.type == asked.type && q.qclass == asked.qclass && DomainName.normalized(q.name) == DomainName.normalized(asked.name)
    }

    /// The addresses this answer gives for its question: the A and AAAA records of the question's name
    /// and of the aliases its CNAME chain leads to (in order, at most 16 links). Records of any other
    /// name in the message say nothing about the question and are ignored.
    package var addressesForQuestion: (names: [String], records: [Record]) {
        guard let q = queryName else { return ([], []) }
        var chain = [q]
        while chain.count <= 16,
            let next = answers.first(where: { $0.type == Self.typeCNAME && DomainName.normalized($0.name) == chain.last! })?.target
        {
            let n = DomainName.normalized(next)
            if chain.contains(n) { break }
            chain.append(n)
        }
        let records = answers.filter { $0.address != nil && chain.contains(DomainName.normalized($0.name)) }
        return (chain, records)
    }

    /// The first question's name, normalised.
    package var queryName: String? { questions.first.map { DomainName.normalized($0.name) } }

    /// An NXDOMAIN answer to `query`: same id and question, no records.
    package static func nameError(for query: [UInt8]) -> [UInt8]? {
        guard let q = DNSMessage(bytes: query), !q.isResponse, let question = q.questions.first else { return nil }
        var out: [UInt8] = []
        out += [UInt8(q.id >> 8), UInt8(q.id & 0xff)]
        // QR=1, opcode and RD copied, RA=1, RCODE=3.
        let flags: UInt16 = 0x8000 | (q.flags & 0x7900) | 0x0080 | 3
        out += [UInt8(flags >> 8), UInt8(flags & 0xff)]
        out += [0, 1, 0, 0, 0, 0, 0, 0]
        guard let encoded = encodeName(question.name) else { return nil }
        out += encoded
        out += [UInt8(question.type >> 8), UInt8(question.type & 0xff), UInt8(question.qclass >> 8), UInt8(question.qclass & 0xff)]
        return out
    }

    /// A query for `name` (used by tests and tools).
    package static func query(id: UInt16, name: String, type: UInt16) -> [UInt8] {
        var out: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xff), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        out += encodeName(name) ?? [0]
        out += [UInt8(type >> 8), UInt8(type & 0xff), 0, 1]
        return out
    }

    /// A response with A/AAAA records for the first question of `query` (used by test servers).
    package static func answer(to query: [UInt8], addresses: [IPAddress], ttl: UInt32) -> [UInt8]? {
        guard let q = DNSMessage(bytes: query), let question = q.questions.first, let qname = encodeName(question.name) else { return nil }
        let records = addresses.filter { ($0.isIPv4 ? typeA : typeAAAA) == question.type }
        var out: [UInt8] = [UInt8(q.id >> 8), UInt8(q.id & 0xff), 0x81, 0x80, 0, 1, 0, UInt8(records.count), 0, 0, 0, 0]
        out += qname + [UInt8(question.type >> 8), UInt8(question.type & 0xff), 0, 1]
        for a in records {
            out += [0xc0, 12]  // pointer to the question name
            out += [UInt8(question.type >> 8), UInt8(question.type & 0xff), 0, 1]
            out += [UInt8(ttl >> 24), UInt8(ttl >> 16 & 0xff), UInt8(ttl >> 8 & 0xff), UInt8(ttl & 0xff)]
            out += [0, UInt8(a.bytes.count)] + a.bytes
        }
        return out
    }

    static func encodeName(_ name: String) -> [UInt8]? {
        var out: [UInt8] = []
        for label in name.split(separator: ".") {
            let b = Array(label.utf8)
            guard !b.isEmpty, b.count < 64 else { return nil }
            out.append(UInt8(b.count))
            out += b
        }
        out.append(0)
        return out.count <= 255 ? out : nil
    }

    private struct Reader {
        let bytes: [UInt8]
        var offset: Int

        mutating func u16() -> UInt16? {
            guard offset + 2 <= bytes.count else { return nil }
            defer { offset += 2 }
            return UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        }

        mutating func u32() -> UInt32? {
            guard let hi = u16(), let lo = u16() else { return nil }
            return UInt32(hi) << 16 | UInt32(lo)
        }

        /// A possibly compressed name; follows at most 32 pointers.
        mutating func name() -> String? {
            var labels: [String] = []
            var pos = offset
            var jumped = false
            var hops = 0
            var total = 0
            while true {
                guard pos < bytes.count else { return nil }
                let len = Int(bytes[pos])
                if len == 0 {
                    if !jumped { offset = pos + 1 }
                    break
                }
                if len & 0xc0 == 0xc0 {
                    guard pos + 1 < bytes.count, hops < 32 else { return nil }
                    if !jumped { offset = pos + 2 }
                    jumped = true
                    hops += 1
                    pos = (len & 0x3f) << 8 | Int(bytes[pos + 1])
                    continue
                }
                guard len < 64, pos + 1 + len <= bytes.count else { return nil }
                total += len + 1
                guard total <= 255 else { return nil }
                labels.append(String(decoding: bytes[(pos + 1)..<(pos + 1 + len)], as: UTF8.self))
                pos += 1 + len
            }
            return labels.joined(separator: ".")
        }
    }
}
