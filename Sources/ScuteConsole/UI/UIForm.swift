import Foundation

/// A submitted form: `application/x-www-form-urlencoded` or `multipart/form-data`, values in order.
struct UIForm: Sendable {
    var fields: [(name: String, value: String)] = []
    /// Uploaded files by field name: file name and bytes.
    var files: [String: (filename: String, bytes: [UInt8])] = [:]

    subscript(_ name: String) -> String { fields.first { $0.name == name }?.value ?? "" }

    func all(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// A list field: one item a line or comma-separated, blanks left out.
    func list(_ name: String) -> [String] {
        self[name].split(whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" || $0 == "," }).map { $0.uiTrimmed() }.filter { !$0.isEmpty }
    }

    init() {}

    /// Parses a body of the given content type; nil when it is neither kind of form.
    init?(contentType: String, body: [UInt8]) {
        let lowered = contentType.lowercased()
        if lowered.hasPrefix("application/x-www-form-urlencoded") {
            self.init(urlEncoded: String(decoding: body, as: UTF8.self))
        } else if lowered.hasPrefix("multipart/form-data"), let range = lowered.range(of: "boundary=") {
            var boundary = String(contentType[range.upperBound...])
            if let semi = boundary.firstIndex(of: ";") { boundary = String(boundary[..<semi]) }
            boundary = boundary.uiTrimming("\" ")
            guard !boundary.isEmpty else { return nil }
            self.init(multipart: body, boundary: boundary)
        } else {
            return nil
        }
    }

    init(urlEncoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            fields.append((name, value))
        }
    }

    static func decode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var i = text.utf8.startIndex
        let utf8 = text.utf8
        while i < utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"), let h1 = utf8.index(i, offsetBy: 1, limitedBy: utf8.endIndex), h1 < utf8.endIndex,
                let h2 = utf8.index(i, offsetBy: 2, limitedBy: utf8.endIndex), h2 < utf8.endIndex,
                let v = UInt8(String(decoding: [utf8[h1], utf8[h2]], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                i = h2
            } else {
                bytes.append(b)
            }
            i = utf8.index(after: i)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    init(multipart body: [UInt8], boundary: String) {
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [ArraySlice<UInt8>] = []
        var starts: [Int] = []
        var i = 0
        while i + delimiter.count <= body.count {
            if body[i] == delimiter[0], Array(body[i..<(i + delimiter.count)]) == delimiter {
                starts.append(i)
                i += delimiter.count
            } else {
                i += 1
            }
        }
        for (n, start) in starts.enumerated() where n + 1 < starts.count {
            var from = start + delimiter.count
            // The CRLF after the delimiter, and the CRLF before the next one.
            if from + 1 < body.count, body[from] == 13, body[from + 1] == 10 { from += 2 }
            var to = starts[n + 1]
            if to - 2 >= from, body[to - 2] == 13, body[to - 1] == 10 { to -= 2 }
            parts.append(body[from..<to])
        }
        for part in parts {
            let bytes = Array(part)
            guard let split = Self.headerEnd(bytes) else { continue }
            let headers = String(decoding: bytes[..<split], as: UTF8.self)
            let content = Array(bytes[(split + 4)...])
            var name: String?
            var filename: String?
            for line in headers.split(separator: "\r\n") where line.lowercased().hasPrefix("content-disposition:") {
                name = Self.parameter("name", in: String(line))
                filename = Self.parameter("filename", in: String(line))
            }
            guard let name else { continue }
            if let filename {
                files[name] = (filename, content)
            } else {
                fields.append((name, String(decoding: content, as: UTF8.self)))
            }
        }
    }

    private static func headerEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return i
        }
        return nil
    }

    private static func parameter(_ key: String, in line: String) -> String? {
        for piece in line.split(separator: ";") {
            let p = piece.uiTrimmed()
            guard p.hasPrefix(key + "=") else { continue }
            return String(p.dropFirst(key.count + 1)).uiTrimming("\"")
        }
        return nil
    }
}

extension StringProtocol {
    func uiTrimmed() -> String { uiTrimming(" \t\r\n") }

    func uiTrimming(_ set: String) -> String {
        var s = Substring(self)
        // "\r\n" is one Character: compare scalars.
        func trimmed(_ c: Character) -> Bool { c.unicodeScalars.allSatisfy { set.unicodeScalars.contains($0) } }
        while let f = s.first, trimmed(f) { s = s.dropFirst() }
        while let l = s.last, trimmed(l) { s = s.dropLast() }
        return String(s)
    }
}
