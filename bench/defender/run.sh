#!/bin/sh
# Builds the workload and a release defender, then compares native, strace and scute defend in one run.
# Usage: bench/defender/run.sh [--quick] [--repeat N]   (from anywhere; needs cc, python3, strace for the strace rows)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${TMPDIR:-/tmp}/scute-bench-defender
mkdir -p "$out"
cc -O2 -o "$out/workload" "$here/workload.c"
if [ -z "${DEFENDER:-}" ]; then
    (cd "$root" && swift build -c release --scratch-path .build-defender-release --product scute-defender >&2)
    DEFENDER="$root/.build-defender-release/release/scute-defender"
fi
exec python3 "$here/bench.py" --workload "$out/workload" --defender "$DEFENDER" "$@"
