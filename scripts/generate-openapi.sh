#!/usr/bin/env bash
# Runs swift-openapi-generator 1.14.3 on the console's OpenAPI document
# (Sources/ScuteConsoleAPI/openapi.json, with openapi-generator-config.yaml beside it) into a folder you can
# read (default .build-openapi/generated): the same types, server protocol and client that the build plugin
# of the ScuteConsoleAPI target generates on every build (there under
# <scratch>/plugins/outputs/<package>/ScuteConsoleAPI/destination/OpenAPIGenerator/GeneratedSources).
#
# Nothing generated is committed; this is for reading the generated API or checking that an edited document
# is valid generator input without building the package.
#
# Usage: scripts/generate-openapi.sh [OUTPUT_DIR]
#   OPENAPI_TOOL_SCRATCH  where the generator tool is built (default .build-openapi/tool/.build)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.build-openapi/generated}
work=.build-openapi/tool
scratch=${OPENAPI_TOOL_SCRATCH:-$work/.build}
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
swift run --package-path "$work" --scratch-path "$scratch" swift-openapi-generator generate \
    --config Sources/ScuteConsoleAPI/openapi-generator-config.yaml \
    --output-directory "$out" Sources/ScuteConsoleAPI/openapi.json
ls -l "$out"
