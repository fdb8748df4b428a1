#!/usr/bin/env bash
# Generates Swift types, a server protocol and a client from the console's OpenAPI document
# (Sources/ScuteConsole/API/OpenAPIDocument.swift, served at /api/v1/openapi.json) with
# swift-openapi-generator 1.14.3, into a scratch folder (default .build-openapi/generated).
#
# The console's handlers are written against Hummingbird directly and tested against the document
# (docs/console.md explains why: the generator's build plugin roughly doubles the package's cold build
# on CI's 2 cores). This script is for comparing the document with generated code, checking that the
# document stays valid generator input, or switching to generated code: commit its output then, rather
# than running the build plugin in CI.
#
# Usage: scripts/generate-openapi.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build-openapi/generated}
work=.build-openapi/tool
mkdir -p "$work/Sources/Tool" "$out"
cat > "$work/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription
let package = Package(
    name: "openapi-tool",
    dependencies: [.package(url: "https://github.com/apple/swift-openapi-generator", exact: "1.14.3")],
    targets: [.target(name: "Tool")]
)
SWIFT
echo "enum Tool {}" > "$work/Sources/Tool/Tool.swift"
# The document: the JSON between the raw string delimiters of OpenAPIDocument.swift.
python3 - "$work/openapi.json" <<'PY'
import json, sys
s = open("Sources/ScuteConsole/API/OpenAPIDocument.swift").read()
doc = s[s.index('#"""') + 4 : s.rindex('"""#')]
json.loads(doc)  # fails loudly on a broken document
open(sys.argv[1], "w").write(doc)
PY
swift run --package-path "$work" swift-openapi-generator generate \
    --mode types --mode server --mode client --access-modifier package \
    --output-directory "$out" "$work/openapi.json"
ls -l "$out"
