#!/usr/bin/env bash
# Sidecar benchmark (issue 14): relay CPU and RSS at 5,000 audits/s against socat moving the same bytes, sidecar
# start-up with a warm cache, the protected task's app start against the plain task's (root), and the console's
# memory per task of 8 defenders, task channel against one connection per defender. bench_sidecar.py says how.
# Usage: bench/sidecar/run.sh [extra bench_sidecar.py options]
#   SCUTE_BIN: a release scute (default: built into .build-bench-release, its own scratch path)
#   SCUTE_DEFENDER_BUNDLE: a defender bundle (default: the debug defender, bundled --allow-dynamic)
# Needs python3 and socat (installed with apt-get when missing). Bounded: about 3 minutes.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
command -v socat >/dev/null || apt-get install -y -q socat >/dev/null
if [ -z "${SCUTE_BIN:-}" ]; then
    echo "building scute (release, .build-bench-release)..." >&2
    (cd "$repo" && swift build -c release --product scute --scratch-path .build-bench-release >&2 &&
        swift build -c release --product scute-defender --scratch-path .build-bench-release >&2)
    SCUTE_BIN="$repo/.build-bench-release/release/scute"
fi
bundle="${SCUTE_DEFENDER_BUNDLE:-}"
if [ -z "$bundle" ]; then
    bundle="$(mktemp -d)/scute-defender.tar.gz"
    "$SCUTE_BIN" bundle --defender "$(dirname "$SCUTE_BIN")/scute-defender" --allow-dynamic -o "$bundle" >&2
fi
args=()
[ "$(id -u)" = 0 ] && args+=(--task-run)
exec timeout 900 python3 "$here/bench_sidecar.py" --scute "$SCUTE_BIN" --bundle "$bundle" "${args[@]}" "$@"
