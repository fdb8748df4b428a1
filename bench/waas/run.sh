#!/bin/sh
# scute waas against nginx + ModSecurity + CRS (paranoia level 1, blocking) on this machine, in one run:
#   1. installs nginx, libnginx-mod-http-modsecurity, modsecurity-crs and wrk when missing (apt-get);
#   2. builds scute (release, its own scratch path .build-release);
#   3. starts one nginx under its own prefix (the system nginx and its config are not touched) serving
#      "the app" (a static 200), a plain proxy and a ModSecurity + CRS PL1 proxy, and scute waas in prevent mode;
#   4. replays the CRS corpus and bench/waas/benign.jsonl against the app, ModSecurity and scute waas (replay.py);
#   5. runs wrk (50 connections) for a GET with a query string and a 1 KB form POST against all four.
# Loopback only, bounded: WAAS_BENCH_SECONDS per wrk run (default 10).
# SCUTE_BIN=path uses an already built scute; SCUTE_WAAS_CMD="cmd args" replaces `scute waas` entirely.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${WAAS_BENCH_SECONDS:-10}
crs=${WAAS_CRS_CORPUS:-/work/shared/waas/crs-dev.jsonl}
work=$(mktemp -d /tmp/scute-waas-bench.XXXXXX)
app_port=18181
plain_port=18182
modsec_port=18183
scute_port=18184

missing=""
command -v nginx >/dev/null 2>&1 || missing="$missing nginx"
[ -e /usr/share/nginx/modules/ngx_http_modsecurity_module.so ] || missing="$missing libnginx-mod-http-modsecurity"
[ -d /usr/share/modsecurity-crs/rules ] || missing="$missing modsecurity-crs"
command -v wrk >/dev/null 2>&1 || missing="$missing wrk"
if [ -n "$missing" ]; then
    echo "installing:$missing" >&2
    apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >&2
fi

if [ -z "${SCUTE_WAAS_CMD:-}" ]; then
    if [ -z "${SCUTE_BIN:-}" ]; then
        echo "building scute (release, .build-release)..." >&2
        (cd "$root" && swift build -c release --product scute --scratch-path .build-release >&2)
        SCUTE_BIN="$root/.build-release/release/scute"
    fi
    if ! "$SCUTE_BIN" waas --help >/dev/null 2>&1; then
        echo "$SCUTE_BIN has no waas subcommand: register WAASCommand in Sources/scute/Scute.swift" >&2
        exit 1
    fi
    SCUTE_WAAS_CMD="$SCUTE_BIN waas"
fi

cleanup() {
    [ -n "${scute_pid:-}" ] && kill "$scute_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && nginx -p "$work" -c "$work/nginx.conf" -s quit 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT INT TERM

mkdir -p "$work/tmp" "$work/logs"
cat > "$work/modsec.conf" <<CONF
Include /etc/nginx/modsecurity.conf
SecRuleEngine On
SecResponseBodyAccess Off
SecAuditEngine RelevantOnly
SecAuditLog $work/logs/audit.log
SecTmpDir $work/tmp
SecDataDir $work/tmp
Include /etc/modsecurity/crs/crs-setup.conf
Include /usr/share/modsecurity-crs/rules/*.conf
CONF
cat > "$work/nginx.conf" <<CONF
load_module /usr/share/nginx/modules/ngx_http_modsecurity_module.so;
worker_processes auto;
pid $work/nginx.pid;
error_log $work/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $work/tmp/body;
    proxy_temp_path $work/tmp/proxy;
    fastcgi_temp_path $work/tmp/fastcgi;
    uwsgi_temp_path $work/tmp/uwsgi;
    scgi_temp_path $work/tmp/scgi;
    upstream app { server 127.0.0.1:$app_port; keepalive 128; }
    server {
        listen 127.0.0.1:$app_port;
        location / { return 200 "ok\n"; }
    }
    server {
        listen 127.0.0.1:$plain_port;
        location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
    server {
        listen 127.0.0.1:$modsec_port;
        modsecurity on;
        modsecurity_rules_file $work/modsec.conf;
        location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; }
    }
}
CONF
nginx -p "$work" -c "$work/nginx.conf"
$SCUTE_WAAS_CMD --listen "127.0.0.1:$scute_port" --app "127.0.0.1:$app_port" --effect prevent --events "$work/logs/events.jsonl" \
    2>"$work/logs/scute.log" &
scute_pid=$!
for port in $app_port $plain_port $modsec_port $scute_port; do
    tries=0
    until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 1)" 2>/dev/null; do
        tries=$((tries + 1))
        [ $tries -gt 100 ] && { echo "port $port never opened" >&2; cat "$work/logs/"*.log >&2; exit 1; }
        sleep 0.1
    done
done

echo "## Detection (CRS corpus $(wc -l < "$crs") requests, benign corpus $(wc -l < "$root/bench/waas/benign.jsonl") requests)"
echo
python3 "$root/bench/waas/replay.py" --app $app_port --target "modsecurity-crs-pl1=$modsec_port" --target "scute-waas=$scute_port" \
    "$crs" "$root/bench/waas/benign.jsonl"
echo

query="/search?q=blue+running+shoes&category=sport&page=2&sort=price&lang=en"
rate=${WAAS_BENCH_RATE:-1000}
cat > "$work/post.lua" <<'LUA'
local i = 0
local body = "name=Ann+Smith&email=ann.smith%40example.com&subject=Order+question&order=100234"
  .. "&message=Hello%2C+I+ordered+a+pair+of+running+shoes+last+week+and+would+like+to+select+another+size."
while #body < 1024 do
  i = i + 1
  body = body .. "&note" .. i .. "=thanks+for+the+quick+delivery+and+the+friendly+support"
end
wrk.method = "POST"
wrk.body = body:sub(1, 1024)
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
LUA
# Fixed offered rate: each of the 50 connections waits 50000/rate ms between requests.
printf 'function delay() return %s end\n' "$((50000 / rate))" > "$work/get-rate.lua"
cat "$work/post.lua" "$work/get-rate.lua" > "$work/post-rate.lua"

wrk_run() {
    # $1 output file, $2 port, $3 GET|POST, $4 script or empty
    if [ "$3" = POST ]; then target="/contact"; else target="$query"; fi
    wrk -t2 -c50 -d"${seconds}s" --latency ${4:+-s "$4"} \
        -H "Host: shop.example" \
        -H "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36" \
        -H "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8" \
        -H "Accept-Language: en-US,en;q=0.9" \
        -H "Cookie: session_id=6f1d2c3b4a5e; theme=dark" \
        -H "Referer: http://shop.example/catalog" \
        "http://127.0.0.1:$2$target" > "$1"
}

load() {
    # $1 name, $2 port, $3 GET|POST
    if [ "$3" = POST ]; then full="$work/post.lua"; paced="$work/post-rate.lua"; else full=""; paced="$work/get-rate.lua"; fi
    wrk_run "$work/wrk-$1-$3.txt" "$2" "$3" "$full"
    wrk_run "$work/wrk-$1-$3-rate.txt" "$2" "$3" "$paced"
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk-$1-$3.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$work/wrk-$1-$3.txt")
    paced_rps=$(awk '/^Requests\/sec:/ {print $2}' "$work/wrk-$1-$3-rate.txt")
    paced_p99=$(awk '$1 == "99%" {print $2}' "$work/wrk-$1-$3-rate.txt")
    errors=$(cat "$work/wrk-$1-$3.txt" "$work/wrk-$1-$3-rate.txt" | awk '/Non-2xx or 3xx responses:/ {n += $5} END {print n + 0}')
    echo "| $1 | $3 | $rps | $p99 | $paced_rps | $paced_p99 | $errors |"
    echo "$1 $3 $rps" >> "$work/rates.txt"
}

echo "## Load (wrk, 2 threads, 50 connections, ${seconds} s per run; wrk, nginx and the proxy share the machine's cores)"
echo
echo "Full: as fast as each endpoint answers (closed loop). Paced: $rate requests/s offered in all."
echo
echo "| endpoint | request | full: requests/s | full: p99 | paced: requests/s | paced: p99 | non-2xx |"
echo "|---|---|---|---|---|---|---|"
for method in GET POST; do
    load app $app_port $method
    load nginx-proxy $plain_port $method
    load nginx-modsecurity-crs $modsec_port $method
    load scute-waas $scute_port $method
done
echo
for method in GET POST; do
    awk -v m=$method '$2 == m && $1 == "scute-waas" {s=$3} $2 == m && $1 == "nginx-modsecurity-crs" {n=$3}
        END {if (n > 0) printf "scute-waas / nginx-modsecurity-crs requests/s on %s: %.1fx\n", m, s / n}' "$work/rates.txt"
done
echo
echo "scute waas events written during the run: $(wc -l < "$work/logs/events.jsonl")"
echo
echo "## Proxy fuzzing (bounded)"
echo
python3 "$root/bench/waas/fuzz-proxy.py" $scute_port "$crs" --count "${WAAS_FUZZ_COUNT:-1000}"
echo "scute waas open file descriptors after the run: $(ls /proc/$scute_pid/fd | wc -l), resident memory: $(awk '/VmRSS/ {print $2, $3}' /proc/$scute_pid/status)"
