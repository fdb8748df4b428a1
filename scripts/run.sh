#!/usr/bin/env bash
# Builds scute and the defender bundle (scripts/build.sh), then runs `scute demo`: the console on its embedded
# SQLite store, with the documentation's sample Fargate task protected and running under `scute task run` (root
# needed; a busybox-static root stands in for the images), a sample policy, and violations every 10 s, so the
# web UI shows the task's defenders, their events and compliance results at once. Ctrl-C stops everything.
#
#   scripts/run.sh                      console on http://localhost:8083/ (plain HTTP on 127.0.0.1: local use only)
#   SCUTE_NO_DEMO=1 scripts/run.sh      the console alone (`scute demo --no-task`)
#   SCUTE_BUILD=debug scripts/run.sh    a debug build (quicker to build; its defender is not static, so the
#                                       sample task runs over this machine's root instead of busybox)
#   SCUTE_DATA=DIR                      the demo's folder (default scute-demo-data)
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=${SCUTE_BUILD:-release}
echo "Building scute and the defender bundle ($CONFIG; the first release build takes several minutes)..."
BUILD_LOG=$(mktemp /tmp/scute-build.XXXXXX.log)
if ! BIN_DIR=$(SCUTE_BUILD=$CONFIG scripts/build.sh 2>"$BUILD_LOG"); then
    tail -40 "$BUILD_LOG" >&2
    echo "the build failed; the whole log is in $BUILD_LOG" >&2
    exit 1
fi
rm -f "$BUILD_LOG"

# busybox-static stands in for the sample task's images (Debian: apt-get install busybox-static).
if [ ! -x /bin/busybox ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    apt-get install -y -q busybox-static >/dev/null 2>&1 || echo "busybox-static could not be installed: the task will run over this machine's root"
fi

args=(demo --data "${SCUTE_DATA:-scute-demo-data}" --api-port "${SCUTE_API_PORT:-8083}" --channel-port "${SCUTE_CHANNEL_PORT:-8084}")
[ -n "${SCUTE_NO_DEMO:-}" ] && args+=(--no-task)
# The demo's console serves the defender bundle that scripts/build.sh put next to scute.
exec "$BIN_DIR/scute" "${args[@]}"
