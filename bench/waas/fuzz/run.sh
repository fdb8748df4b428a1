#!/bin/sh
# Builds the ScuteWAAS engine with libFuzzer and AddressSanitizer and runs a bounded fuzzing session.
#   bench/waas/fuzz/run.sh [runs] [seconds]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
out=${FUZZ_OUT:-/tmp/scute-waas-fuzz}
runs=${1:-200000}
seconds=${2:-120}
mkdir -p "$out/corpus"
# Seed with a few requests from the benign corpus and attack shapes.
printf 'GET /?q=1%%27%%20or%%201=1-- HTTP/1.1\r\nHost: x\r\n\r\n' > "$out/corpus/seed-sqli"
printf 'POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n' > "$out/corpus/seed-chunked"
printf '{"a":[1,{"b":"<script>${jndi:x}</script>"}]}' > "$out/corpus/seed-json"
printf -- '--b\r\nContent-Disposition: form-data; name="f"; filename="a.php"\r\n\r\n<?php ?>\r\n--b--\r\n' > "$out/corpus/seed-multipart"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name ScuteWAASFuzz -package-name scute \
    $(find "$root/Sources/ScuteWAAS" -name '*.swift') "$here/FuzzEngine.swift" -o "$out/fuzz-waas"
"$out/fuzz-waas" -runs="$runs" -max_total_time="$seconds" -max_len=4096 -rss_limit_mb=2048 "$out/corpus"
