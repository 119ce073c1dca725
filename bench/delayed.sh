#!/bin/sh
# `sh bench/delayed.sh`: what a thousand delayed answers cost the others. The p99 of plain GETs
# (a client with 4 requests under way), first alone, then while 1 000 other requests sit in
# their `Prefer: delay=30000` (none is answered while the GETs are measured: what is measured is
# the cost of holding them). A delayed answer holds a connection, not a thread: the ratio should
# stay near 1.
# A benchmark measures, it asserts nothing. Everything on 127.0.0.1; every process stopped by PID.
#
# Env: INTEGRATIONSD_BIN (build/integrationsd).
set -eu
BIN=${INTEGRATIONSD_BIN:-build/integrationsd}
. "$(dirname "$0")/lib.sh"
[ -x "$BIN" ] || { echo "delayed: $BIN is missing (run make first)" >&2; exit 1; }
bench_setup delayed wrk curl
bench_serve "$dir/out" "$dir/err" "$BIN" --port 0 --db "$dir/db" --quiet
tok=$(curl -s "$base/oauth/access_token" -d grant_type=client_credentials -d client_id=bench -d client_secret=b |
    sed -n 's/.*"access_token":"\([0-9a-f]*\)".*/\1/p')
id=$(curl -s "$base/v2/integrations" -H "Authorization: Bearer $tok" -H "Content-Type: application/json" \
    -d '{"data":{"type":"integration","integration_type":"webhook","name":"n","enabled":false,"configuration":{"url":"http://127.0.0.1:9/h"},"observes":["order.paid"]}}' |
    sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$id" ] || { echo "delayed: no integration was created" >&2; exit 1; }
url="$base/v2/integrations/$id"

printf '%s\n' 'function done(s, lat, req)
  io.write(string.format("RESULT %.1f %.3f %.3f %d\n", s.requests / (s.duration / 1e6),
    lat:percentile(50) / 1000, lat:percentile(99) / 1000, s.errors.status))
end' >"$dir/report.lua"

# p99s LABEL: three GET runs of 4 s; prints each and sets p99 to their median
p99s() {
    runs=""
    for k in 1 2 3; do
        wrk -t1 -c4 -d4s --latency -s "$dir/report.lua" -H "Authorization: Bearer $tok" "$url" >"$dir/wrk.out" &
        w=$!; pids="$pids $w"; wait "$w" || true
        set -- $(sed -n 's/^RESULT //p' "$dir/wrk.out") 0 0 0 0
        printf '  %-40s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %s\n' "$label" "$1" "$2" "$3" "$4"
        runs="$runs $3"
    done
    p99=$(printf '%s\n' $runs | sort -g | sed -n 2p)
}

echo "machine: $(nproc) CPUs; GET $url, wrk -t1 -c4"
label="plain GETs alone"
p99s
alone=$p99
# 1 000 connections, each with a request that waits 30 s: all of them waiting while the GETs run
wrk -t1 -c1000 -d20s -s "$dir/report.lua" -H "Authorization: Bearer $tok" -H "Prefer: delay=30000" "$url" \
    >"$dir/delayed.out" &
delayed=$!; pids="$pids $delayed"
sleep 2
label="beside 1 000 delayed requests"
p99s
busy=$p99
port=${base##*:}
held=$(ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l)
echo "  connections the server holds open at the end: $held"
kill "$delayed" 2>/dev/null || true
wait "$delayed" 2>/dev/null || true
echo
awk -v a="$alone" -v b="$busy" 'BEGIN { printf "p99 of plain GETs beside 1 000 delayed / alone: %.2f / %.2f ms = %.2f\n", b, a, b / (a + 1e-9) }'
