#!/bin/sh
# Builds the workload, the anchor and a release defender, then compares native, strace and scute defend in one run.
# Usage: bench/defender/run.sh [--quick] [--repeat N]   (from anywhere; needs cc, python3, strace for the strace rows)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${TMPDIR:-/tmp}/scute-bench-defender
mkdir -p "$out"
cc -O2 -o "$out/workload" "$here/workload.c"
anchor=""
if [ "$(uname -m)" = x86_64 ]; then
    cc -O2 -o "$out/anchor" "$here/anchor.c"
    anchor="--anchor $out/anchor"
fi
if [ -z "${DEFENDER:-}" ]; then
    (cd "$root" && swift build -c release --scratch-path .build-defender-release --product scute-defender >&2)
    DEFENDER="$root/.build-defender-release/release/scute-defender"
fi
# "/" here is the whole build machine, not a container: no background compliance scan during the bench.
export SCUTE_SCAN_ROOT=off
# shellcheck disable=SC2086
exec python3 "$here/bench.py" --workload "$out/workload" --defender "$DEFENDER" $anchor "$@"
