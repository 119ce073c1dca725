#!/bin/sh
# Throughput and memory of the API on loopback: `make bench`. Prints numbers; asserts nothing.
# Needs wrk (apt-get install wrk). Every request goes to 127.0.0.1; each run is bounded (DURATION).
set -eu
BIN=${INTEGRATIONSD_BIN:-build/integrationsd}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-32}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

dir=$(mktemp -d)
"$BIN" --port 0 --db "$dir/bench.db" >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP PIPE
i=0
until grep -q '^listening on ' "$dir/out"; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$dir/err"; exit 1; }; sleep 0.05
done
base=$(sed -n 's/^listening on //p' "$dir/out")
token=$(curl -s "$base/oauth/access_token" -d grant_type=client_credentials -d client_id=bench -d client_secret=bench |
    sed 's/.*"access_token":"\([0-9a-f]*\)".*/\1/')
body='{"data":{"type":"integration","integration_type":"webhook","name":"Order shipping notification","enabled":true,"configuration":{"url":"http://127.0.0.1:9/hook"},"observes":["order.fulfilled"]}}'
for n in $(seq 25); do
    id=$(curl -s "$base/v2/integrations" -H "Authorization: Bearer $token" -d "$body" | sed 's/.*"id":"\([0-9a-f-]*\)".*/\1/')
done

echo "== GET /v2/integrations (25 per page), $CONNECTIONS connections, $DURATION"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $token" "$base/v2/integrations" | grep -E 'Requests/sec|Latency|requests in'
echo "== GET /v2/integrations/{id}"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" -H "Authorization: Bearer $token" "$base/v2/integrations/$id" | grep -E 'Requests/sec|Latency|requests in'
echo "== GET /health"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" "$base/health" | grep -E 'Requests/sec|Latency|requests in'
echo "== resident memory after the runs"
grep -E 'VmRSS|VmHWM' "/proc/$pid/status"
