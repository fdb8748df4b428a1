#!/usr/bin/env bash
# Runs every test suite of Scute: installs what the tests need when missing (Debian packages, PyPI
# packages), starts what they need, builds, and runs `swift test` and the Python suites in pytests/.
# Usage: scripts/test.sh            (everything)
#        SCUTE_SKIP_INSTALL=1 scripts/test.sh   (use what is installed)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# Debian packages the suites use: test programs run under the defender, a busybox-only root for the
# bundle, strace as a benchmark anchor, PostgreSQL for the store suite, Chromium for the web UI test, rpm and
# ruby as the references the version orderings are checked against (rpm.vercmp, Gem::Version).
APT_PACKAGES=(busybox-static sqlite3 musl-tools golang-go strace python3-pip postgresql debootstrap zlib1g-dev chromium chromium-driver rpm ruby)
# PyPI packages: the AWS API model and CLI, a local ECS API, BuildKit's Dockerfile parser, cfn-lint,
# schemathesis (the console API against its OpenAPI document), boto3, selenium (drives Chromium).
PIP_PACKAGES=(pytest botocore awscli "moto[server]" flask flask-cors dockerfile cfn-lint schemathesis boto3 selenium)

if [ -z "${SCUTE_SKIP_INSTALL:-}" ]; then
    missing=()
    for p in "${APT_PACKAGES[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    pip_missing=()
    for p in "${PIP_PACKAGES[@]}"; do
        name=${p%%[*}
        python3 -m pip show -q "$name" >/dev/null 2>&1 || pip_missing+=("$p")
    done
    if [ ${#pip_missing[@]} -gt 0 ]; then
        log "installing PyPI packages: ${pip_missing[*]}"
        python3 -m pip install -q "${pip_missing[@]}"
    fi
fi

status=0
# The defender scans its container's root in the background; on a build machine "/" is the whole host, so
# the suites turn that off and the tests of the scan give it a root of their own.
export SCUTE_SCAN_ROOT=off

log "swift build"
if ! swift build --build-tests > .build-test.log 2>&1; then
    grep -vE '^\[[0-9]+/[0-9]+\]' .build-test.log | tail -60
    echo "swift build failed" >&2
    exit 1
fi
grep -E 'warning:|error:' .build-test.log | sort -u | head -20 || true

# A throw-away PostgreSQL cluster on loopback for the console store suite (SCUTE_TEST_POSTGRES_URL).
start_test_postgres() {
    local bin
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$bin" ] && [ -x "$bin/initdb" ] || { echo "PostgreSQL not installed: store tests run on SQLite only"; return 0; }
    PG_DIR=$(mktemp -d /tmp/scute-test-pg.XXXXXX)
    local port=$((20000 + RANDOM % 20000))
    local run=()
    if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; run=(runuser -u postgres --); fi
    "${run[@]}" "$bin/initdb" -D "$PG_DIR/data" -A trust -U scute >/dev/null
    "${run[@]}" "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w \
        -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
    trap 'stop_test_postgres' EXIT
    export SCUTE_TEST_POSTGRES_URL="postgres://scute@127.0.0.1:$port/postgres?sslmode=disable"
    echo "PostgreSQL on 127.0.0.1:$port"
}
stop_test_postgres() {
    [ -n "${PG_DIR:-}" ] || return 0
    local run=()
    if [ "$(id -u)" = 0 ]; then run=(runuser -u postgres --); fi
    "${run[@]}" "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
}
if [ -z "${SCUTE_TEST_POSTGRES_URL:-}" ]; then
    log "postgresql"
    start_test_postgres
fi

log "swift test"
set +e
swift test --skip-build > .build/swift-test.log 2>&1
swift_rc=$?
set -e
# Passing test lines are summarised; failures, suites and the closing line are shown.
grep -vE '^(✔|◇|↳) (Test|Suite) ' .build/swift-test.log | grep -vE '^Test Suite .* (started|passed)|^Test Case .* (started|passed)' || true
grep -E '^✔ Test run with|^✘ Test run with' .build/swift-test.log || true
if [ $swift_rc -ne 0 ]; then
    echo "swift test failed (exit $swift_rc)" >&2
    status=1
fi

log "python suites (pytests/)"
export SCUTE_BIN="$PWD/.build/debug/scute"
if ! (cd pytests && python3 -m pytest -q -p no:cacheprovider); then
    status=1
fi

if [ $status -ne 0 ]; then
    log "FAILED"
else
    log "all suites passed"
fi
exit $status
