#!/bin/sh
# Do deliveries slow the API? List latency with an idle runner, then with 1 000 jobs queued for a
# receiver that accepts connections and never answers (every attempt waits out the timeout).
# Prints wrk numbers; asserts nothing. Loopback only; every run bounded by DURATION.
set -eu
BIN=${INTEGRATIONSD_BIN:-build/integrationsd}
DURATION=${DURATION:-10s}
command -v wrk >/dev/null || { echo "bench: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

dir=$(mktemp -d)
# the silent receiver: listens, accepts, never answers
python3 -c 'import socket,time;s=socket.socket();s.bind(("127.0.0.1",0));s.listen(1024);print(s.getsockname()[1],flush=True);c=[]
while True: c.append(s.accept()[0])' >"$dir/sink" &
sink=$!
"$BIN" --port 0 --db "$dir/bench.db" --delivery-timeout 30 >"$dir/out" 2>"$dir/err" &
pid=$!
trap 'kill "$pid" "$sink" 2>/dev/null; wait "$pid" "$sink" 2>/dev/null; rm -rf "$dir"' EXIT
trap 'exit 1' INT TERM HUP PIPE
i=0
until grep -q '^listening on ' "$dir/out" && [ -s "$dir/sink" ]; do
    i=$((i + 1)); [ $i -lt 100 ] || { cat "$dir/err"; exit 1; }; sleep 0.05
done
base=$(sed -n 's/^listening on //p' "$dir/out")
sink_port=$(head -1 "$dir/sink")
token=$(curl -s "$base/oauth/access_token" -d grant_type=client_credentials -d client_id=bench -d client_secret=bench |
    sed 's/.*"access_token":"\([0-9a-f]*\)".*/\1/')
curl -s -o /dev/null "$base/v2/integrations" -H "Authorization: Bearer $token" \
    -d '{"data":{"type":"integration","integration_type":"webhook","name":"sink","enabled":true,"configuration":{"url":"http://127.0.0.1:'"$sink_port"'/"},"observes":["order.paid"]}}'

echo "== GET /v2/integrations, runner idle"
wrk -t2 -c16 -d"$DURATION" -H "Authorization: Bearer $token" "$base/v2/integrations" | grep -E 'Latency|Requests/sec'
for n in $(seq 1000); do
    curl -s -o /dev/null "$base/emulator/v1/events" -H "Authorization: Bearer $token" \
        -d '{"data":{"type":"event","trigger":"order.paid"}}'
done
echo "== GET /v2/integrations, 1000 jobs queued, every worker hanging on the silent receiver"
wrk -t2 -c16 -d"$DURATION" -H "Authorization: Bearer $token" "$base/v2/integrations" | grep -E 'Latency|Requests/sec'
