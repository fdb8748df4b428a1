#!/usr/bin/env bash
# Vulnerability matching bench: the inventory of a debootstrap minbase root (~90 Debian packages) matched against
# 50,000 generated OSV records (generate.py), timed end to end with /usr/bin/time -v.
# Target: under 1 s wall and under 200 MB max RSS.
#
#   bench/vulnerabilities/run.sh [--root DIR] [--count N] [--runs N]
#
# The minbase root is built once with debootstrap into $SCUTE_BENCH_CACHE (default /var/tmp/scute-bench); without
# debootstrap or a network it falls back to this machine's own dpkg database (/). The measured program is
# vulns-bench, built in release mode through a temporary package from the same ScuteScan inventory and ScuteVulns
# matcher that `scute vulns` runs (without the rest of the `scute` binary, whose release build takes far longer).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${SCUTE_BENCH_CACHE:-/var/tmp/scute-bench}"
root=""
count=50000
runs=3
while [ $# -gt 0 ]; do
    case "$1" in
        --root) root="$2"; shift 2 ;;
        --count) count="$2"; shift 2 ;;
        --runs) runs="$2"; shift 2 ;;
        *) echo "usage: $0 [--root DIR] [--count N] [--runs N]" >&2; exit 2 ;;
    esac
done

log() { printf '\n== %s\n' "$*"; }

if [ -z "$root" ]; then
    root="$cache/minbase"
    if [ ! -f "$root/var/lib/dpkg/status" ]; then
        if command -v debootstrap >/dev/null 2>&1; then
            log "debootstrap --variant=minbase bookworm into $root (once)"
            mkdir -p "$cache"
            rm -rf "$root.tmp"
            if debootstrap --variant=minbase bookworm "$root.tmp" http://deb.debian.org/debian >"$cache/debootstrap.log" 2>&1; then
                mv "$root.tmp" "$root"
            else
                echo "debootstrap failed (see $cache/debootstrap.log): using this machine's dpkg database" >&2
                root="/"
            fi
        else
            echo "debootstrap is not installed: using this machine's dpkg database" >&2
            root="/"
        fi
    fi
fi
echo "root: $root ($(grep -c '^Package:' "$root/var/lib/dpkg/status") packages)"

advisories="$cache/advisories-$count"
if [ ! -d "$advisories" ] || [ "$here/generate.py" -nt "$advisories" ]; then
    log "generating $count OSV records"
    python3 "$here/generate.py" --out "$advisories" --count "$count" --root "$root"
fi

log "building vulns-bench (release)"
work="$(mktemp -d /tmp/scute-vulns-bench.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/Sources"
ln -s "$repo/Sources/ScuteVulns" "$work/Sources/ScuteVulns"
ln -s "$repo/Sources/ScuteScan" "$work/Sources/ScuteScan"
ln -s "$repo/Sources/CScuteZlib" "$work/Sources/CScuteZlib"
ln -s "$here/vulns-bench" "$work/Sources/vulns-bench"
cat >"$work/Package.swift" <<'EOF'
// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "vulns-bench",
    targets: [
        .systemLibrary(name: "CScuteZlib"),
        .target(name: "ScuteScan", dependencies: ["CScuteZlib"], swiftSettings: swiftSettings),
        .target(name: "ScuteVulns", swiftSettings: swiftSettings),
        .executableTarget(name: "vulns-bench", dependencies: ["ScuteVulns", "ScuteScan"], swiftSettings: swiftSettings),
    ]
)
EOF
(cd "$work" && swift build -c release --product vulns-bench >"$work/build.log" 2>&1) || { tail -30 "$work/build.log"; exit 1; }
bench="$work/.build/release/vulns-bench"

# Warm the page cache once, so every run reads the same way.
"$bench" --advisories "$advisories" --root "$root" --release Debian:12 >/dev/null 2>&1

log "matching ($runs runs; load average $(cut -d' ' -f1-3 /proc/loadavg))"
for run in $(seq "$runs"); do
    /usr/bin/time -v "$bench" --advisories "$advisories" --root "$root" --release Debian:12 >"$work/out" 2>"$work/time"
    wall=$(grep 'Elapsed (wall clock)' "$work/time" | awk '{print $NF}')
    user=$(grep 'User time' "$work/time" | awk '{print $NF}')
    sys=$(grep 'System time' "$work/time" | awk '{print $NF}')
    rss=$(grep 'Maximum resident' "$work/time" | awk '{print $NF}')
    steps=$(grep 'load+parse' "$work/time")
    echo "run $run: wall ${wall}, cpu ${user} user + ${sys} sys, max RSS $((rss / 1024)) MB; $steps"
done
cat "$work/out"

# Anchor, same run: Python reading and json.load-ing the same files, one thread, no matching.
log "anchor: python3 json.load of every record"
python3 - "$advisories" <<'PY'
import json, os, sys, time
start = time.perf_counter()
count = 0
for folder, _, files in os.walk(sys.argv[1]):
    for name in files:
        if name.endswith(".json"):
            with open(os.path.join(folder, name), "rb") as record:
                json.load(record)
            count += 1
print(f"anchor: {count} records read and parsed in {time.perf_counter() - start:.2f} s")
PY
