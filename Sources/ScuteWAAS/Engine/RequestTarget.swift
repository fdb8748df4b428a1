/// The request-target split into path and query, with the path-level checks.
struct RequestTarget {
    let rawPath: ArraySlice<UInt8>
    let rawQuery: ArraySlice<UInt8>?
    let pathString: String

    init(_ target: String) {
        let bytes = Array(target.utf8)
        var start = 0
        // Absolute form: drop scheme and authority.
        if bytes.starts(with: "http://".utf8) || bytes.starts(with: "https://".utf8) {
            let afterScheme = bytes.firstIndex(ofBytes: Array("//".utf8))! + 2
            start = bytes[afterScheme...].firstIndex(of: UInt8(ascii: "/")) ?? bytes.count
        }
        var end = bytes.count
        if let hash = bytes[start...].firstIndex(of: UInt8(ascii: "#")) { end = hash }
        if let question = bytes[start..<end].firstIndex(of: UInt8(ascii: "?")) {
            rawPath = bytes[start..<question]
            rawQuery = bytes[(question + 1)..<end]
        } else {
            rawPath = bytes[start..<end]
            rawQuery = nil
        }
        pathString = String(decoding: rawPath, as: UTF8.self)
    }

    func collect(into collector: inout InputCollector, sink: inout FindingSink) {
        var flags: DecodeFlags = []
        let path = PercentDecoder.decode(rawPath, plusAsSpace: false, flags: &flags)
        checkPath(path, sink: &sink)
        collector.add(Input(location: "path", source: .path, isName: false, bytes: path, key: [], parseFlags: flags))
        if let rawQuery, !rawQuery.isEmpty {
            _ = FormParser.parse(rawQuery, source: .query, prefix: "query", into: &collector)
        }
    }

    private static let sensitiveProc: [StaticString] = [
        "/proc/self", "/proc/version", "/proc/interrupts", "/proc/cpuinfo", "/proc/meminfo", "/proc/net", "/proc/sys",
        "/proc/mounts", "/sys/class", "/sys/kernel", "/sys/devices", "/sys/block", "/sys/firmware", "/sys/fs", "/sys/module",
        "/@fs/", "/etc/",
    ]

    private func checkPath(_ decoded: [UInt8], sink: inout FindingSink) {
        let configuration = sink.configuration
        var flags: DecodeFlags = []
        // One more decoding pass: `dump%2Erdb` is asked for as `dump.rdb`.
        let path = PercentDecoder.decode(decoded[...], plusAsSpace: false, flags: &flags).asciiLowercased()
        let segments = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
        for segment in segments {
            if segment.first == UInt8(ascii: "."), segment.count > 1, !segment.elementsEqual(".well-known".utf8),
                !segment.allSatisfy({ $0 == UInt8(ascii: ".") })
            {
                sink.report(.lfiSensitivePath, location: "path", text: path, start: segment.startIndex, end: segment.endIndex)
                break
            }
            if segment.count > 1, segment.last == UInt8(ascii: "~") {
                sink.report(.backupFile, location: "path", text: path, start: segment.startIndex, end: segment.endIndex)
            }
        }
        for marker in RequestTarget.sensitiveProc {
            if let found = path.firstIndex(ofLowercase: marker) {
                sink.report(.lfiSensitivePath, location: "path", text: path, start: found, end: found + marker.utf8CodeUnitCount)
                break
            }
        }
        if let last = segments.last, let dot = last.lastIndex(of: UInt8(ascii: ".")) {
            let extensionText = String(decoding: last[dot...], as: UTF8.self)
            if configuration.restrictedExtensions.contains(extensionText) {
                sink.report(.extensionRestricted, location: "path", text: path, start: last.startIndex, end: last.endIndex)
            }
        }
        if path.contains(0x0A) || path.contains(0x0D) {
            sink.report(.smugglingSplitting, location: "path", text: path, start: 0, end: path.count)
        }
    }
}
