#!/usr/bin/env bash
# Scan benchmark: a full scan (checks 425, 426, 448 and the inventory) of a debootstrap minbase root, against
# the anchor `debsums -s` plus `grep -rl "PRIVATE KEY-----"` on the same root, warm cache, same run.
# Target: the scan in at most half the anchor's time, under 100 MB RSS.
# Usage: bench/compliance/run.sh [ROOT] [RUNS]   (ROOT defaults to SCUTE_DEBOOTSTRAP_ROOT or the tests' cached root)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
root="${1:-${SCUTE_DEBOOTSTRAP_ROOT:-/var/cache/scute-tests/minbase-bookworm}}"
runs="${2:-5}"
[ -d "$root/var/lib/dpkg" ] || { echo "no dpkg root at $root (run the ScuteScan tests once, or debootstrap --variant=minbase)"; exit 1; }
command -v debsums >/dev/null || { echo "debsums is needed for the anchor: apt-get install debsums"; exit 1; }

pkg="${TMPDIR:-/tmp}/scute-compliance-bench"
mkdir -p "$pkg/Sources/scan-bench"
for target in ScuteScan ScuteScanSQLite CScuteSQLite CScuteZlib; do ln -sfn "$repo/Sources/$target" "$pkg/Sources/$target"; done
cp "$here/main.swift" "$pkg/Sources/scan-bench/main.swift"
cat > "$pkg/Package.swift" <<'SWIFT'
// swift-tools-version:6.1
import PackageDescription
let settings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny"), .enableUpcomingFeature("MemberImportVisibility")]
let package = Package(
    name: "scute-compliance-bench",
    targets: [
        .systemLibrary(name: "CScuteZlib"),
        .systemLibrary(name: "CScuteSQLite"),
        .target(name: "ScuteScan", dependencies: ["CScuteZlib"], swiftSettings: settings),
        .target(name: "ScuteScanSQLite", dependencies: ["ScuteScan", "CScuteSQLite"], swiftSettings: settings),
        .executableTarget(name: "scan-bench", dependencies: ["ScuteScan", "ScuteScanSQLite"], swiftSettings: settings),
    ]
)
SWIFT
(cd "$pkg" && swift build -c release >/dev/null)
bench="$pkg/.build/release/scan-bench"

now() { date +%s.%N; }
# Warm the cache.
"$bench" "$root" >/dev/null; debsums -s --root="$root" >/dev/null 2>&1 || true; grep -rl "PRIVATE KEY-----" "$root" >/dev/null || true

printf 'run  scan_s  scan_cpu_s  rss_MB  anchor_s (debsums + grep)  ratio\n'
for i in $(seq 1 "$runs"); do
    out="$("$bench" "$root")"
    scan=$(sed -n 's/^elapsed: //p' <<<"$out" | cut -d' ' -f1)
    cpu=$(sed -n 's/^cpu: //p' <<<"$out" | cut -d' ' -f1)
    rss=$(sed -n 's/^max RSS: //p' <<<"$out" | cut -d' ' -f1)
    t0=$(now); debsums -s --root="$root" >/dev/null 2>&1 || true; grep -rl "PRIVATE KEY-----" "$root" >/dev/null || true; t1=$(now)
    anchor=$(echo "$t1 - $t0" | bc -l)
    printf '%3d  %6.3f  %10.3f  %6s  %25.3f  %5.2f\n' "$i" "$scan" "$cpu" "$rss" "$anchor" "$(echo "$scan / $anchor" | bc -l)"
done
