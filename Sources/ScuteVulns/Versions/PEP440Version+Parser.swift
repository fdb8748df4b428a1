extension PEP440Version {
    /// A recursive-descent reading of PEP 440's version grammar over lower-cased bytes.
    struct Parser {
        let bytes: [UInt8]
        var position = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        private static let preLabels: [(String, Phase)] = [
            ("alpha", .alpha), ("a", .alpha), ("beta", .beta), ("b", .beta), ("preview", .candidate), ("pre", .candidate),
            ("c", .candidate), ("rc", .candidate),
        ]
        private static let postLabels = ["post", "rev", "r"]

        mutating func parse() -> PEP440Version? {
            if peek == UInt8(ascii: "v") { position += 1 }
            guard var first = digits() else { return nil }
            var epoch = DecimalNumber.zero
            if peek == UInt8(ascii: "!") {
                position += 1
                epoch = first
                guard let number = digits() else { return nil }
                first = number
            }
            var release = [first]
            while peek == UInt8(ascii: "."), position + 1 < bytes.count, ASCII.isDigit(bytes[position + 1]) {
                position += 1
                release.append(digits() ?? .zero)
            }
            let pre = preRelease()
            let post = postRelease()
            let dev = devRelease()
            var local: [LocalPart]?
            if peek == UInt8(ascii: "+") {
                position += 1
                guard let parts = localParts() else { return nil }
                local = parts
            }
            guard position == bytes.count else { return nil }
            return PEP440Version(epoch: epoch, release: release, pre: pre, post: post, dev: dev, local: local)
        }

        private var peek: UInt8? { position < bytes.count ? bytes[position] : nil }

        private static func isSeparator(_ byte: UInt8?) -> Bool {
            byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ".")
        }

        private mutating func digits() -> DecimalNumber? {
            let run = bytes[position...].prefix(while: ASCII.isDigit)
            guard !run.isEmpty else { return nil }
            position = run.endIndex
            return DecimalNumber(run)
        }

        private mutating func label(_ text: String) -> Bool {
            let utf8 = Array(text.utf8)
            guard bytes[position...].starts(with: utf8) else { return false }
            position += utf8.count
            return true
        }

        /// `[-_.]?label[-_.]?number?`; the trailing separator is given back when no number follows it.
        private mutating func labelled(_ labels: [String]) -> (String, DecimalNumber)? {
            let start = position
            if Self.isSeparator(peek) { position += 1 }
            guard let found = labels.first(where: { label($0) }) else {
                position = start
                return nil
            }
            let afterLabel = position
            if Self.isSeparator(peek) { position += 1 }
            if let number = digits() { return (found, number) }
            position = afterLabel
            return (found, .zero)
        }

        private mutating func preRelease() -> (phase: Phase, number: DecimalNumber)? {
            guard let (name, number) = labelled(Self.preLabels.map(\.0)) else { return nil }
            let phase = Self.preLabels.first { $0.0 == name }!.1
            return (phase, number)
        }

        private mutating func postRelease() -> DecimalNumber? {
            if peek == UInt8(ascii: "-"), position + 1 < bytes.count, ASCII.isDigit(bytes[position + 1]) {
                position += 1
                return digits()
            }
            return labelled(Self.postLabels)?.1
        }

        private mutating func devRelease() -> DecimalNumber? {
            labelled(["dev"])?.1
        }

        private mutating func localParts() -> [LocalPart]? {
            var parts: [LocalPart] = []
            while true {
                let run = bytes[position...].prefix(while: ASCII.isAlphanumeric)
                guard !run.isEmpty else { return nil }
                position = run.endIndex
                parts.append(run.allSatisfy(ASCII.isDigit) ? .number(DecimalNumber(run)) : .text(Array(run)))
                guard Self.isSeparator(peek) else { return parts }
                position += 1
            }
        }
    }
}
