import Foundation
import Testing

@testable import ScuteWAAS

/// Replays the CRS regression corpus and the benign corpus; the figures in bench/waas/README.md come from
/// the same replay (`waas-eval`).
@Suite struct CorpusTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let crsPath: String? = {
        let candidates = [
            "/work/shared/waas/crs-dev.jsonl",
            repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/waas/crs-dev.jsonl").path,
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0) }
    }()

    static let benignPath: String? = {
        let path = repositoryRoot.appendingPathComponent("bench/waas/benign.jsonl").path
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }()

    struct Row {
        var block: Bool
        var request: HTTPRequest
    }

    static func load(_ path: String) throws -> [Row] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var rows: [Row] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
            let block = (object["expect"] as? String) == "block"
            if let raw = object["raw_b64"] as? String, let bytes = Data(base64Encoded: raw), let request = HTTPRequest(raw: Array(bytes)) {
                rows.append(Row(block: block, request: request))
                continue
            }
            var headers = ((object["headers"] as? [String: Any]) ?? [:]).map { HTTPHeader(name: $0.key, value: "\($0.value)") }
            let body = Array(((object["body"] as? String) ?? "").utf8)
            if (object["autocomplete"] as? Bool) == true, !body.isEmpty, !headers.contains(where: { $0.name.lowercased() == "content-length" }) {
                headers.append(HTTPHeader(name: "Content-Length", value: "\(body.count)"))
            }
            var request = HTTPRequest(
                method: object["method"] as? String ?? "GET",
                target: object["uri"] as? String ?? "/",
                version: object["version"] as? String ?? "HTTP/1.1",
                headers: headers,
                body: body
            )
            request.bodyIsChunked = request.headerValues("Transfer-Encoding").contains { $0.lowercased().contains("chunked") }
            rows.append(Row(block: block, request: request))
        }
        return rows
    }

    @Test(.enabled(if: crsPath != nil, "CRS corpus not found at /work/shared/waas or ../shared/waas: skipped"))
    func detectsAtLeastNinetyPercentOfTheCRSAttacks() throws {
        let rows = try Self.load(Self.crsPath!).filter(\.block)
        let engine = WAASEngine()
        let detected = rows.filter { !engine.inspect($0.request).isEmpty }.count
        #expect(rows.count > 1_000)
        #expect(Double(detected) / Double(rows.count) >= 0.90, "detected \(detected) of \(rows.count)")
    }

    @Test(.enabled(if: benignPath != nil, "bench/waas/benign.jsonl not found: skipped"))
    func flagsAtMostOnePercentOfBenignTraffic() throws {
        let rows = try Self.load(Self.benignPath!)
        let engine = WAASEngine()
        let flagged = rows.filter { !engine.inspect($0.request).isEmpty }.count
        #expect(rows.count >= 1_000)
        #expect(Double(flagged) / Double(rows.count) <= 0.01, "flagged \(flagged) of \(rows.count)")
    }
}
