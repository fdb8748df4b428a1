#!/usr/bin/env bash
# Runs the Scute console on its embedded SQLite store (release build), with a demo: a sample runtime rule
# and a demo app running under `scute defend`, connected to the console, so the web UI shows a connected
# defender and its audits at once. Ctrl-C stops everything.
#
#   scripts/run.sh                      console on http://localhost:8083/ (plain HTTP: local use only)
#   SCUTE_NO_DEMO=1 scripts/run.sh      the console alone
#   SCUTE_TLS=1 scripts/run.sh          TLS on both ports (self-signed CA in the data folder)
#   SCUTE_BUILD=debug scripts/run.sh    a debug build (quicker to build, slower to run)
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=${SCUTE_DATA:-.scute-console-data}
API_PORT=${SCUTE_API_PORT:-8083}
CHANNEL_PORT=${SCUTE_CHANNEL_PORT:-8084}
PASSWORD_FILE="$DATA.admin-password"

CONFIG=${SCUTE_BUILD:-release}
echo "Building scute and the defender bundle ($CONFIG; the first release build takes several minutes)..."
BUILD_LOG=$(mktemp /tmp/scute-build.XXXXXX.log)
if ! BIN_DIR=$(SCUTE_BUILD=$CONFIG scripts/build.sh 2>"$BUILD_LOG"); then
    tail -40 "$BUILD_LOG" >&2
    echo "the build failed; the whole log is in $BUILD_LOG" >&2
    exit 1
fi
rm -f "$BUILD_LOG"
# The console serves the bundle next to it (Dockerfile embed, Manage > Defenders > Deploy download).
BIN="$BIN_DIR/scute"

# The admin password: SCUTE_ADMIN_PASSWORD, or one made on the first run and kept beside the data folder.
if [ -z "${SCUTE_ADMIN_PASSWORD:-}" ]; then
    if [ ! -f "$PASSWORD_FILE" ]; then
        umask 077
        python3 -c 'import secrets; print(secrets.token_urlsafe(18))' > "$PASSWORD_FILE"
    fi
    SCUTE_ADMIN_PASSWORD=$(cat "$PASSWORD_FILE")
fi
export SCUTE_ADMIN_PASSWORD

scheme=http
tls_flag=(--insecure-http)
if [ -n "${SCUTE_TLS:-}" ]; then scheme=https; tls_flag=(); fi

"$BIN" console --data "$DATA" "${tls_flag[@]}" --api-port "$API_PORT" --channel-port "$CHANNEL_PORT" &
CONSOLE=$!
DEMO=
cleanup() { [ -n "$DEMO" ] && kill "$DEMO" 2>/dev/null; kill "$CONSOLE" 2>/dev/null; wait 2>/dev/null; }
trap cleanup EXIT INT TERM

for _ in $(seq 1 100); do
    curl -skf "$scheme://127.0.0.1:$API_PORT/health" >/dev/null 2>&1 && break
    sleep 0.2
done

cat <<MSG

  Scute console: $scheme://localhost:$API_PORT/
  user: admin   password: $( [ -f "$PASSWORD_FILE" ] && echo "in $PASSWORD_FILE" || echo "SCUTE_ADMIN_PASSWORD" )
  API: $scheme://localhost:$API_PORT/api/v1/openapi.json

MSG

if [ -z "${SCUTE_NO_DEMO:-}" ]; then
    api() { curl -skf -H "Authorization: Bearer $TOKEN" -H 'content-type: application/json' "$@"; }
    TOKEN=$(curl -skf -H 'content-type: application/json' "$scheme://127.0.0.1:$API_PORT/api/v1/authenticate" \
        -d "{\"username\":\"admin\",\"password\":\"$SCUTE_ADMIN_PASSWORD\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
    # A sample rule for the demo app (created once; edit it in the UI and watch the demo obey within a second).
    if ! api "$scheme://127.0.0.1:$API_PORT/api/v1/policies/runtime" | grep -q '"demo-shop"'; then
        api -X POST "$scheme://127.0.0.1:$API_PORT/api/v1/policies/runtime/rules" -d '{
          "name": "demo-shop",
          "collections": [{"appIDs": ["demo-*"]}],
          "processes": {"effect": "prevent", "denied": ["whoami", "nc", "ncat"], "cryptoMiners": "prevent"},
          "network": {"effect": "prevent", "deniedOutboundPorts": [{"start": 6660, "end": 6669}]}
        }' >/dev/null
    fi
    ws=ws; [ "$scheme" = https ] && ws=wss
    BUNDLE=$(api "$scheme://127.0.0.1:$API_PORT/api/v1/defenders/install-bundle?consoleaddr=$ws://127.0.0.1:$CHANNEL_PORT" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["installBundle"])')
    DEMO_DIR=$(mktemp -d /tmp/scute-demo.XXXXXX)
    cp /bin/sleep "$DEMO_DIR/xmrig"
    # The demo app: every 10 s a permitted command, a denied one, a miner, and a connection to an IRC port
    # on loopback; the defender blocks what the rule denies and reports it. It stops with the console.
    SCUTE_INSTALL_BUNDLE=$BUNDLE SCUTE_APP_ID=demo-shop SCUTE_CONTAINER_NAME=web SCUTE_IMAGE_NAME=demo/shop:1.0 \
    SCUTE_DATA_FOLDER="$DEMO_DIR" "$BIN" defend -- sh -c "
        while kill -0 $CONSOLE 2>/dev/null; do
            date >/dev/null; whoami >/dev/null 2>&1; '$DEMO_DIR/xmrig' 0.1 2>/dev/null
            python3 -c 'import socket; socket.socket().connect((\"127.0.0.1\", 6667))' 2>/dev/null
            sleep 10
        done" >/dev/null 2>&1 &
    DEMO=$!
    echo "  Demo: app 'demo-shop' runs under scute defend; see Defenders and Audits in the UI."
    echo
fi
wait "$CONSOLE"
