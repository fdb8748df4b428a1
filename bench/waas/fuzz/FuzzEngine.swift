// libFuzzer entry point for ScuteWAAS: the input bytes are read as a raw HTTP request, and also used as the
// body of a request for each body parser, so every parser and detector sees arbitrary bytes.
// Built by bench/waas/fuzz/run.sh together with Sources/ScuteWAAS/**/*.swift (no package needed).

let fuzzEngine = WAASEngine()
let fuzzContentTypes = [
    "application/json", "application/xml", "multipart/form-data; boundary=b", "application/x-www-form-urlencoded", "text/plain",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let request = HTTPRequest(raw: bytes) {
        _ = fuzzEngine.inspect(request)
    }
    let selector = bytes.first.map { Int($0) % fuzzContentTypes.count } ?? 0
    let target = "/f?" + String(decoding: bytes.prefix(256), as: UTF8.self)
    let request = HTTPRequest(
        method: "POST",
        target: target,
        headers: [
            HTTPHeader(name: "Host", value: "fuzz.example"), HTTPHeader(name: "Content-Type", value: fuzzContentTypes[selector]),
            HTTPHeader(name: "Cookie", value: String(decoding: bytes.prefix(128), as: UTF8.self)),
        ],
        body: bytes,
        bodyIsChunked: bytes.count % 3 == 0
    )
    _ = fuzzEngine.inspect(request)
    return 0
}
