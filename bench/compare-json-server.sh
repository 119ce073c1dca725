#!/bin/sh
# The same list request against integrationsd and against json-server (a generic JSON mock),
# each serving 25 integrations: throughput, latency and memory. Prints numbers; asserts nothing.
# Installs json-server@0.17.4 from npm into a temporary folder. Loopback only; bounded runs.
set -eu
BIN=${INTEGRATIONSD_BIN:-build/integrationsd}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
dir=$(mktemp -d)
pids=""
trap 'for p in $pids; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP PIPE
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_for() { i=0; until curl -fs -o /dev/null "$1"; do i=$((i + 1)); [ $i -lt 200 ] || exit 1; sleep 0.05; done; }
rss() { grep VmHWM "/proc/$1/status" | awk '{print $2 " kB peak RSS"}'; }

# integrationsd with 25 integrations
"$BIN" --port 0 --db "$dir/bench.db" >"$dir/out" 2>"$dir/err" &
ipid=$!; pids="$pids $ipid"
until grep -q '^listening on ' "$dir/out"; do sleep 0.05; done
base=$(sed -n 's/^listening on //p' "$dir/out")
token=$(curl -s "$base/oauth/access_token" -d grant_type=client_credentials -d client_id=bench -d client_secret=bench |
    sed 's/.*"access_token":"\([0-9a-f]*\)".*/\1/')
body='{"data":{"type":"integration","integration_type":"webhook","name":"Order shipping notification","enabled":true,"configuration":{"url":"http://127.0.0.1:9/hook"},"observes":["order.fulfilled"]}}'
for n in $(seq 25); do curl -s -o /dev/null "$base/v2/integrations" -H "Authorization: Bearer $token" -d "$body"; done
# json-server with the same 25 documents as its "integrations" collection
curl -s "$base/v2/integrations" -H "Authorization: Bearer $token" |
    python3 -c 'import json,sys; print(json.dumps({"integrations": json.load(sys.stdin)["data"]}))' >"$dir/db.json"
(cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund json-server@0.17.4 >/dev/null 2>&1)
jport=$(free_port)
node "$dir/node_modules/json-server/lib/cli/bin.js" --host 127.0.0.1 --port "$jport" --quiet "$dir/db.json" >/dev/null 2>&1 &
jpid=$!; pids="$pids $jpid"
wait_for "http://127.0.0.1:$jport/integrations"

echo "== integrationsd: GET /v2/integrations (25), 2 threads, 32 connections, $DURATION"
wrk -t2 -c32 -d"$DURATION" -H "Authorization: Bearer $token" "$base/v2/integrations" | grep -E 'Latency|Requests/sec'
echo "   $(rss $ipid)"
echo "== json-server 0.17.4: GET /integrations (25), same load"
wrk -t2 -c32 -d"$DURATION" "http://127.0.0.1:$jport/integrations" | grep -E 'Latency|Requests/sec'
echo "   $(rss $jpid)"
id=$(curl -gs "$base/v2/integrations?page[limit]=1" -H "Authorization: Bearer $token" | sed 's/.*"id":"\([0-9a-f-]*\)".*/\1/')
echo "== integrationsd: GET /v2/integrations/{id}"
wrk -t2 -c32 -d"$DURATION" -H "Authorization: Bearer $token" "$base/v2/integrations/$id" | grep -E 'Latency|Requests/sec'
echo "== json-server 0.17.4: GET /integrations/{id}"
wrk -t2 -c32 -d"$DURATION" "http://127.0.0.1:$jport/integrations/$id" | grep -E 'Latency|Requests/sec'
echo "   after both runs: integrationsd $(rss $ipid), json-server $(rss $jpid)"
