// waas-eval: replays JSONL request corpora through ScuteWAAS and prints detection and false-positive rates
// per category, with a held-out split (every 5th line), and times the engine on typical requests.
//
//   waas-eval [--crs FILE] [--benign FILE] [--misses] [--false-positives] [--bench] [--category NAME]
import Foundation
import ScuteWAAS

struct Row {
    var id: String
    var category: String
    var expectBlock: Bool
    var request: HTTPRequest
    var line: Int
}

func loadCorpus(_ path: String) -> [Row] {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        return []
    }
    var rows: [Row] = []
    for (number, line) in data.split(separator: UInt8(ascii: "\n")).enumerated() {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else { continue }
        let id = object["id"] as? String ?? "line-\(number)"
        let category = object["category"] as? String ?? "benign"
        let expectBlock = (object["expect"] as? String) == "block"
        var request: HTTPRequest
        if let raw = object["raw_b64"] as? String, let bytes = Data(base64Encoded: raw) {
            guard let parsed = HTTPRequest(raw: Array(bytes)) else { continue }
            request = parsed
        } else {
            var headers: [HTTPHeader] = []
            if let pairs = object["headers"] as? [[Any]] {
                for pair in pairs where pair.count == 2 { headers.append(HTTPHeader(name: "\(pair[0])", value: "\(pair[1])")) }
            } else if let dictionary = object["headers"] as? [String: Any] {
                for (name, value) in dictionary { headers.append(HTTPHeader(name: name, value: "\(value)")) }
            }
            let body = Array(((object["body"] as? String) ?? "").utf8)
            if (object["autocomplete"] as? Bool) ?? false {
                if !headers.contains(where: { $0.name.lowercased() == "connection" }) {
                    headers.append(HTTPHeader(name: "Connection", value: "close"))
                }
                if !body.isEmpty && !headers.contains(where: { $0.name.lowercased() == "content-length" }) {
                    headers.append(HTTPHeader(name: "Content-Length", value: "\(body.count)"))
                }
            }
            request = HTTPRequest(
                method: object["method"] as? String ?? "GET",
                target: object["uri"] as? String ?? "/",
                version: object["version"] as? String ?? "HTTP/1.1",
                headers: headers,
                body: body
            )
            request.bodyIsChunked = request.headerValues("Transfer-Encoding").contains { $0.lowercased().contains("chunked") }
        }
        rows.append(Row(id: id, category: category, expectBlock: expectBlock, request: request, line: number))
    }
    return rows
}

struct Tally {
    var total = 0
    var flagged = 0
    var rate: Double { total == 0 ? 0 : Double(flagged) / Double(total) * 100 }
}

func pad(_ text: String, _ width: Int) -> String { text.count >= width ? text : text + String(repeating: " ", count: width - text.count) }
func percent(_ tally: Tally) -> String { tally.total == 0 ? "-" : String(format: "%5.1f%% (%d/%d)", tally.rate, tally.flagged, tally.total) }

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}
let crsPath = option("--crs") ?? "/work/shared/waas/crs-dev.jsonl"
let benignPath = option("--benign") ?? "bench/waas/benign.jsonl"
let onlyCategory = option("--category")
let engine = WAASEngine()

var printMisses = arguments.contains("--misses")
var printFalsePositives = arguments.contains("--false-positives")

// CRS corpus.
let crs = loadCorpus(crsPath)
if let show = option("--show") {
    for row in crs + loadCorpus(benignPath) where row.id == show {
        print("\(row.id) \(row.request.method) \(row.request.target)")
        for finding in engine.inspect(row.request) {
            print("  \(finding.ruleID) \(finding.category.rawValue) @\(finding.location) [\(finding.excerpt)]")
        }
    }
    exit(0)
}
var attack: [String: (dev: Tally, holdout: Tally)] = [:]
var passTally: [String: Tally] = [:]
var overall = (dev: Tally(), holdout: Tally())
var plOverall = Tally()
for row in crs {
    let findings = engine.inspect(row.request)
    let flagged = !findings.isEmpty
    let holdout = row.line % 5 == 4
    if row.expectBlock {
        var entry = attack[row.category] ?? (Tally(), Tally())
        if holdout {
            entry.holdout.total += 1
            entry.holdout.flagged += flagged ? 1 : 0
            overall.holdout.total += 1
            overall.holdout.flagged += flagged ? 1 : 0
        } else {
            entry.dev.total += 1
            entry.dev.flagged += flagged ? 1 : 0
            overall.dev.total += 1
            overall.dev.flagged += flagged ? 1 : 0
        }
        attack[row.category] = entry
        if printMisses && !flagged && !holdout && (onlyCategory == nil || onlyCategory == row.category) {
            print(
                "MISS \(row.id) \(row.request.method) \(row.request.target.prefix(160)) | \(String(decoding: row.request.body.prefix(200), as: UTF8.self).replacingOccurrences(of: "\n", with: "\\n"))"
            )
        }
    } else {
        var tally = passTally[row.category] ?? Tally()
        tally.total += 1
        tally.flagged += flagged ? 1 : 0
        passTally[row.category] = tally
        if printFalsePositives && flagged && (onlyCategory == nil || onlyCategory == row.category) {
            print("PASS-FLAGGED \(row.id): \(findings.map { "\($0.ruleID)@\($0.location) [\($0.excerpt)]" }.joined(separator: "; "))")
        }
    }
}
print("CRS corpus \(crsPath): \(crs.count) requests")
print(pad("category", 18) + pad("detected (dev 80%)", 24) + pad("detected (held-out 20%)", 26) + "flagged among expect=pass")
for category in Set(attack.keys).union(passTally.keys).sorted() {
    let entry = attack[category] ?? (Tally(), Tally())
    print(pad(category, 18) + pad(percent(entry.dev), 24) + pad(percent(entry.holdout), 26) + percent(passTally[category] ?? Tally()))
}
var all = overall.dev
all.total += overall.holdout.total
all.flagged += overall.holdout.flagged
print(pad("ALL", 18) + pad(percent(overall.dev), 24) + pad(percent(overall.holdout), 26) + "overall \(percent(all))")

// Benign corpus.
let benign = loadCorpus(benignPath)
if !benign.isEmpty {
    var byCategory: [String: Tally] = [:]
    var total = Tally()
    for row in benign {
        let findings = engine.inspect(row.request)
        var tally = byCategory[row.category] ?? Tally()
        tally.total += 1
        total.total += 1
        if !findings.isEmpty {
            tally.flagged += 1
            total.flagged += 1
            if printFalsePositives {
                print("FP \(row.id): \(findings.map { "\($0.ruleID)@\($0.location) [\($0.excerpt)]" }.joined(separator: "; "))")
            }
        }
        byCategory[row.category] = tally
    }
    print("\nBenign corpus \(benignPath): \(benign.count) requests")
    for (category, tally) in byCategory.sorted(by: { $0.key < $1.key }) { print(pad(category, 18) + "false positives " + percent(tally)) }
    print(pad("ALL", 18) + "false positives " + percent(total))
}

// Timing.
if arguments.contains("--bench") {
    let get = HTTPRequest(
        method: "GET",
        target: "/api/v1/products?category=shoes&size=42&sort=price_asc&page=2",
        headers: [
            HTTPHeader(name: "Host", value: "shop.example.com"),
            HTTPHeader(
                name: "User-Agent",
                value: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36"
            ),
            HTTPHeader(name: "Accept", value: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"),
            HTTPHeader(name: "Accept-Language", value: "en-US,en;q=0.9"),
            HTTPHeader(name: "Accept-Encoding", value: "gzip, deflate, br"),
            HTTPHeader(name: "Cookie", value: "session=8f14e45fceea167a5a36dedd4bea2543; theme=dark"),
            HTTPHeader(name: "Referer", value: "https://shop.example.com/"),
        ]
    )
    var formText = "name=Jane+Doe&email=jane.doe%40example.com&subject=Order+question&message="
    let sentence = "Hello%2C+I+ordered+the+blue+running+shoes+last+week+and+would+like+to+know+when+they+ship.+Thanks%21+"
    while formText.utf8.count < 1000 { formText += sentence }
    let form = HTTPRequest(
        method: "POST",
        target: "/contact",
        headers: get.headers + [
            HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
            HTTPHeader(name: "Content-Length", value: "\(formText.utf8.count)"),
        ],
        body: Array(formText.utf8)
    )
    let minimal = HTTPRequest(method: "GET", target: "/", headers: [HTTPHeader(name: "Host", value: "shop.example.com")])
    var cases = [("minimal GET /", minimal), ("GET with query string", get), ("1 KB form POST", form)]
    if arguments.contains("--parts") {
        for header in get.headers {
            cases.append(
                (
                    "GET / + \(header.name)",
                    HTTPRequest(method: "GET", target: "/", headers: [HTTPHeader(name: "Host", value: "shop.example.com"), header])
                )
            )
        }
        cases.append(
            ("GET query only", HTTPRequest(method: "GET", target: get.target, headers: [HTTPHeader(name: "Host", value: "shop.example.com")]))
        )
    }
    for (name, request) in cases {
        var sink = 0
        for _ in 0..<2_000 { sink &+= engine.inspect(request).count }
        let iterations = 50_000
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            for _ in 0..<iterations { sink &+= engine.inspect(request).count }
        }
        let micros = Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12
        print(String(format: "%@: %.2f us per request (%d findings)", name, micros / Double(iterations), sink % 1000))
    }
}
