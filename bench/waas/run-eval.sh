#!/bin/sh
# Builds waas-eval in a throw-away package that links Sources/ScuteWAAS (the main package is too heavy to build
# just for this) and runs it from the repository root. Arguments go to waas-eval, e.g. --bench, --misses.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
dev=${WAAS_DEV:-/tmp/scute-waas-eval}
mkdir -p "$dev/Sources"
ln -sfn "$root/Sources/ScuteWAAS" "$dev/Sources/ScuteWAAS"
ln -sfn "$root/bench/waas/eval" "$dev/Sources/waas-eval"
cat > "$dev/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
let package = Package(
    name: "scute-waas-eval",
    targets: [
        .target(name: "ScuteWAAS", swiftSettings: swiftSettings),
        .executableTarget(name: "waas-eval", dependencies: ["ScuteWAAS"], swiftSettings: swiftSettings),
    ]
)
SWIFT
(cd "$dev" && swift build -c release --product waas-eval >&2)
cd "$root" && exec "$dev/.build/release/waas-eval" "$@"
