#!/usr/bin/env bash
# Web UI benchmark: the pages over 100,000 audits in a SQLite console, median and p95 against the 300 ms target,
# with the API's own first page of audits as the anchor in the same run (bench/ui/bench_ui.py says what).
# Usage: bench/ui/run.sh [RUNS]   (SCUTE_BIN: a release scute; otherwise built into .build-bench-release, its own
# scratch path: .build-release holds the static defender, whose flags differ)
# Needs: python3 and its websockets package (python3 -m pip install websockets).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
runs="${1:-30}"
if [ -z "${SCUTE_BIN:-}" ]; then
    echo "building scute (release, .build-bench-release)..." >&2
    (cd "$repo" && swift build -c release --product scute --scratch-path .build-bench-release >&2)
    SCUTE_BIN="$repo/.build-bench-release/release/scute"
fi
# Bounded: the fill takes seconds, each run five requests.
exec timeout 900 python3 "$here/bench_ui.py" --scute "$SCUTE_BIN" --runs "$runs"
