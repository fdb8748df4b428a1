#!/usr/bin/env bash
# Runs every test suite of Scute: installs what the tests need when missing (Debian packages, PyPI
# packages), starts what they need, builds, and runs `swift test` and the Python suites in pytests/.
# Usage: scripts/test.sh            (everything)
#        SCUTE_SKIP_INSTALL=1 scripts/test.sh   (use what is installed)
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# Debian packages the suites use: test programs run under the defender, a busybox-only root for the
# bundle, strace as a benchmark anchor.
APT_PACKAGES=(busybox-static musl-tools golang-go strace python3-pip debootstrap zlib1g-dev)
# PyPI packages: the AWS API model and CLI, a local ECS API, BuildKit's Dockerfile parser, cfn-lint.
PIP_PACKAGES=(pytest botocore awscli "moto[server]" flask flask-cors dockerfile cfn-lint)

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

log "swift build"
if ! swift build --build-tests > .build-test.log 2>&1; then
    grep -vE '^\[[0-9]+/[0-9]+\]' .build-test.log | tail -60
    echo "swift build failed" >&2
    exit 1
fi
grep -E 'warning:|error:' .build-test.log | sort -u | head -20 || true

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
