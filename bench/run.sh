#!/bin/sh
# `make bench`: integrationsd against a speed-of-light baseline (bench/baseline.c: the same stack,
# one SQLite statement per request, nothing else), both measured in this one run, every figure
# printed beside the baseline's and as a ratio to it, then checked against the targets.
# A benchmark measures, it asserts nothing: exit 0 whatever the figures (1 if a server fails to start).
#
# Env: INTEGRATIONSD_BIN (build/integrationsd), BASELINE_BIN (build/bench/baseline),
#      DURATION (8s per wrk run), CONNECTIONS (32).
# Needs wrk, curl and python3. Everything runs on 127.0.0.1, each server on a fresh database in one
# temporary folder; every server is stopped by PID on every exit path; every run is bounded.
set -eu
IBIN=${INTEGRATIONSD_BIN:-build/integrationsd}
BBIN=${BASELINE_BIN:-build/bench/baseline}
DURATION=${DURATION:-8s}
CONNECTIONS=${CONNECTIONS:-32}
ROWS=100000        # the "big store" of the 100 000-row figure
FILL_SECONDS=60    # at most this long filling it
EVENTS=2000        # x 20 integrations = 40 000 delivery jobs
. "$(dirname "$0")/lib.sh"
for bin in "$IBIN" "$BBIN"; do
    [ -x "$bin" ] || { echo "bench: $bin is missing (build it first)" >&2; exit 1; }
done
started=$(date +%s)

bench_setup bench wrk curl python3

# --- helpers ----------------------------------------------------------------------------------
# start NAME BIN [ARGS]: a server on a free port and a fresh database; sets pid and base.
start() {
    name=$1; shift
    bench_serve "$dir/$name.out" "$dir/$name.err" "$@" --port 0 --db "$dir/$name.db"
}
# fg OUT CMD...: CMD in the background (stdout to OUT), waited for: a signal interrupts the wait at
# once, and bench_cleanup stops CMD by PID like the servers. Returns CMD's status.
fg() {
    out=$1; shift
    "$@" >"$out" &
    jpid=$!; pids="$pids $jpid"; st=0
    wait "$jpid" || st=$?
    pids=$(echo " $pids " | sed "s/ $jpid / /")
    return $st
}
# stop PID: SIGTERM, wait, forget.
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    pids=$(echo " $pids " | sed "s/ $1 / /")
}
token() {
    curl -s "$1/oauth/access_token" -d grant_type=client_credentials -d "client_id=$2" -d client_secret=bench |
        sed -n 's/.*"access_token":"\([0-9a-f]*\)".*/\1/p'
}
kib() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status"; }       # kib PID VmRSS|VmHWM
calc() { awk "BEGIN { printf \"$1\n\", ($2) }"; }                         # calc FORMAT EXPR
die() { echo "bench: $*" >&2; exit 1; }

# wrk Lua: one machine-readable line in done(), from wrk's own counts (a response() hook would run
# Lua for every answer and make the load generator the heaviest process on the machine):
# RESULT req/s p50_ms p99_ms error_answers socket_errors requests   (error answers: status >= 400)
report='
function done(s, lat, req)
  local e = s.errors
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d %d\n", s.requests / (s.duration / 1e6),
    lat:percentile(50) / 1000, lat:percentile(99) / 1000, e.status, e.connect + e.read + e.write + e.timeout,
    s.requests))
end'
lua_post() { # lua_post FILE BODY
    printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n%s\n' \
        "$2" "$report" >"$1"
}
body='{"data":{"type":"integration","integration_type":"webhook","name":"Order shipping notification","enabled":true,"configuration":{"url":"http://127.0.0.1:9/hook"},"observes":["order.fulfilled"]}}'
lua_post "$dir/post.lua" "$body"
printf '%s\n' "$report" >"$dir/get.lua"
# every request with another Host: integrationsd keeps no page to answer again and writes each
# list anew (links carry the host); the baseline ignores Host and does what it always does
printf '%s\n%s\n' 'local n = 0
function request()
  n = n + 1
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["Host"] = "h" .. n .. ".example"
  return wrk.format(nil, nil, h)
end' "$report" >"$dir/get-hosts.lua"

# run LABEL SCRIPT URL [wrk args]: one bounded wrk run; sets rps p50 p99 bad errs reqs.
run() {
    label=$1 script=$2 url=$3; shift 3
    fg "$dir/wrk.out" wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$@" "$url" || true
    set -- $(sed -n 's/^RESULT //p' "$dir/wrk.out") 0 0 0 0 0 0
    rps=$1 p50=$2 p99=$3 bad=$4 errs=$5 reqs=$6
    [ "$reqs" != 0 ] || { echo "  !!!!! $label: wrk gave no result:"; cat "$dir/wrk.out"; }
    printf '  %-46s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %s\n' "$label" "$rps" "$p50" "$p99" "$bad"
    if [ "$bad" != 0 ] || [ "$errs" != 0 ]; then
        echo "  !!!!! $label: $bad error answers (status >= 400) and $errs socket errors out of $reqs requests: INVALID run"
    fi
}

# --- machine ----------------------------------------------------------------------------------
echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr)"
echo "integrationsd: $IBIN    baseline: $BBIN    wrk -t2 -c$CONNECTIONS -d$DURATION, loopback"
echo

# --- 1. startup and idle RSS ------------------------------------------------------------------
# spawn -> first 200 on GET /health (polled every 0.2 ms over a raw socket), fresh database each
# time; VmRSS 0.5 s after that answer. Medians of 10.
cat >"$dir/startup.py" <<'EOF'
import os, signal, socket, statistics, subprocess, sys, time
binary, folder, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))   # so that `finally` stops the server

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close(); return port

def healthy(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(64).split(b" ")[1:2] == [b"200"]
    except OSError:
        return False

starts, rss = [], []
for i in range(10):
    port, db = free_port(), os.path.join(folder, "startup-%d.db" % i)
    err = open(db + ".err", "w")
    t0 = time.perf_counter()
    p = subprocess.Popen([binary, "--port", str(port), "--db", db] + extra, stdout=subprocess.DEVNULL, stderr=err)
    try:
        while not healthy(port):
            if p.poll() is not None or time.perf_counter() - t0 > 10:
                sys.exit("%s did not answer /health: %s" % (binary, open(db + ".err").read()))
            time.sleep(0.0002)
        starts.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.5)
        with open("/proc/%d/status" % p.pid) as f:
            rss += [int(l.split()[1]) for l in f if l.startswith("VmRSS:")]
    finally:
        p.terminate()
        try: p.wait(10)
        except subprocess.TimeoutExpired: p.kill(); p.wait()
print("%.1f %.0f" % (statistics.median(starts), statistics.median(rss)))
EOF
echo "== startup (spawn -> first 200 on /health) and idle RSS, median of 10 spawns"
mkdir "$dir/start-i" "$dir/start-b"
fg "$dir/start-i.txt" python3 "$dir/startup.py" "$IBIN" "$dir/start-i" || die "integrationsd failed to start"
set -- $(cat "$dir/start-i.txt"); i_start=$1 i_idle=$2
fg "$dir/start-b.txt" python3 "$dir/startup.py" "$BBIN" "$dir/start-b" || die "baseline failed to start"
set -- $(cat "$dir/start-b.txt"); b_start=$1 b_idle=$2
printf '  %-16s %6.1f ms   idle RSS %6.1f MiB\n' integrationsd "$i_start" "$(calc %.1f "$i_idle/1024")" \
    baseline "$b_start" "$(calc %.1f "$b_idle/1024")"
rm -rf "$dir/start-i" "$dir/start-b"

# --- 2-5. the API, one server per side --------------------------------------------------------
# 25 integrations created with curl -> GET list (page of 25) and GET one; then POSTs into an
# empty store; then wrk POSTs fill that store to ROWS integrations; POSTs again; peak RSS.
api() { # api SIDE: sets <side>_... figures
    side=$1
    if [ "$side" = i ]; then
        start api-integrationsd "$IBIN" --max-integrations 1000000
        list_tok=$(token "$base" bench-list); post_tok=$(token "$base" bench)
        [ -n "$list_tok" ] && [ -n "$post_tok" ] || die "integrationsd gave no token"
        name=integrationsd
    else
        start api-baseline "$BBIN"
        list_tok=none post_tok=none   # sent too, and ignored: both servers get the same requests
        name=baseline
    fi
    # The baseline stores the very documents integrationsd answers (resource, links, timestamps),
    # so that both lists and gets send the same bytes: what differs is only the work behind them.
    for n in $(seq 25); do
        doc=$body
        [ "$side" = b ] && doc=$(sed -n "${n}p" "$dir/items.json")
        id=$(curl -s "$base/v2/integrations" -H "Authorization: Bearer $list_tok" -H "Content-Type: application/json" \
            -d "$doc" | sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p')
        [ -n "$id" ] || die "$name: create failed"
    done
    [ "$side" = i ] && curl -s "$base/v2/integrations" -H "Authorization: Bearer $list_tok" | python3 -c '
import json, sys
for item in json.load(sys.stdin)["data"]:
    print(json.dumps({"data": item}, separators=(",", ":")))' >"$dir/items.json"
    echo "== $name (25 integrations)"
    run "$name GET /v2/integrations (25)" "$dir/get.lua" "$base/v2/integrations" -H "Authorization: Bearer $list_tok"
    eval "${side}_list=\$rps ${side}_list50=\$p50 ${side}_list99=\$p99"
    run "$name GET /v2/integrations (25), new Host" "$dir/get-hosts.lua" "$base/v2/integrations" \
        -H "Authorization: Bearer $list_tok"
    eval "${side}_fresh=\$rps"
    run "$name GET /v2/integrations/{id}" "$dir/get.lua" "$base/v2/integrations/$id" -H "Authorization: Bearer $list_tok"
    eval "${side}_one=\$rps ${side}_one50=\$p50 ${side}_one99=\$p99"

    auth="Authorization: Bearer $post_tok"
    run "$name POST /v2/integrations, empty store" "$dir/post.lua" "$base/v2/integrations" -H "$auth"
    post0=$rps
    eval "${side}_post=\$rps ${side}_post50=\$p50 ${side}_post99=\$p99 ${side}_postbad=\$((bad + errs))"
    # fill: wrk POST runs (at most 10 s each, sized from the last rate) until the store holds ROWS;
    # FILL_SECONDS at most
    rows=$((reqs - bad)); t_end=$(($(date +%s) + FILL_SECONDS))
    while :; do
        if [ "$side" = i ]; then    # integrationsd counts them: results.total
            rows=$(curl -gs "$base/v2/integrations?page[limit]=1" -H "$auth" |
                sed -n 's/.*"results":{"total":\([0-9]*\)}.*/\1/p')
            rows=${rows:-0}
            [ "$rows" -ge $ROWS ] && break
        elif [ $rows -ge $ROWS ]; then   # the baseline (25 more rows in its one store): is row ROWS there?
            curl -gs "$base/v2/integrations?page[limit]=1&page[offset]=$((ROWS - 1))" | grep -q '"data":\[{' && break
        fi
        left=$((t_end - $(date +%s)))
        [ $left -gt 0 ] || break
        secs=$(calc %d "($ROWS - $rows) / ($rps + 1) + 1")
        [ "$secs" -le 10 ] || secs=10
        [ "$secs" -le "$left" ] || secs=$left
        fg "$dir/wrk.out" wrk -t2 -c"$CONNECTIONS" -d"${secs}s" -s "$dir/post.lua" -H "$auth" "$base/v2/integrations" || true
        set -- $(sed -n 's/^RESULT //p' "$dir/wrk.out") 0 0 0 0 0 0
        rps=$1; rows=$((rows + $6 - $4))
    done
    run "$name POST /v2/integrations, $rows rows" "$dir/post.lua" "$base/v2/integrations" -H "$auth"
    big=$(calc %.3f "$rps / ($post0 + 1e-9)") hwm=$(kib "$pid" VmHWM)
    eval "${side}_rows=\$rows ${side}_big=\$big ${side}_bigbad=\$((bad + errs)) ${side}_hwm=\$hwm"
    echo "  POST at $rows rows / POST into an empty store: $big;  peak RSS $(calc %.1f "$hwm / 1024") MiB"
    stop "$pid"
}
api i
api b

# --- 6-7. deliveries --------------------------------------------------------------------------
# The baseline as the receiver (its POST /hook counts); integrationsd with 20 webhook integrations
# observing order.paid, first attempt 6 s after the event. Round 1: EVENTS events (x 20 jobs), then
# deliveries/s = growth of the receiver's count from the first delivery until it stops growing.
# Round 2: the same again, with a wrk GET /v2/integrations/{id} run started at the first delivery.
cat >"$dir/deliver.py" <<'EOF'
import http.client, json, signal, subprocess, sys, threading, time
from urllib.parse import urlsplit
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))   # so that `finally` stops the GET run
api, token, receiver, events = urlsplit(sys.argv[1]), sys.argv[2], urlsplit(sys.argv[3]), int(sys.argv[4])
wrk_out, wrk_cmd = (sys.argv[5], sys.argv[6:]) if len(sys.argv) > 6 else (None, None)  # the GET runs

class GetRuns(threading.Thread):
    """The GET run three times in a row (their p99s' median is the figure), stoppable."""
    def __init__(self):
        super().__init__(daemon=True); self.current = None; self.stopped = False
    def run(self):
        with open(wrk_out, "w") as out:
            for _ in range(3):
                if self.stopped: break
                self.current = subprocess.Popen(wrk_cmd, stdout=out, stderr=subprocess.STDOUT)
                self.current.wait()
    def stop(self):
        self.stopped = True
        if self.current is not None and self.current.poll() is None:
            self.current.terminate(); self.current.wait()
        self.join()

def count():
    c = http.client.HTTPConnection(receiver.hostname, receiver.port, timeout=5)
    c.request("GET", "/count"); n = json.loads(c.getresponse().read())["count"]; c.close(); return n

# Emit the events from 4 keep-alive connections while the main thread polls the receiver.
before, t0, accepted, ended = count(), time.monotonic(), [], []
def emit(n):
    ok = 0
    try:
        c = http.client.HTTPConnection(api.hostname, api.port, timeout=10)
        for _ in range(n):
            if time.monotonic() - t0 > 30: break
            c.request("POST", "/emulator/v1/events", '{"data":{"type":"event","trigger":"order.paid"}}',
                      {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            r = c.getresponse(); r.read(); ok += r.status == 202
    except (OSError, http.client.HTTPException) as e:
        print("bench: emitting events:", e, file=sys.stderr)
    finally:
        accepted.append(ok); ended.append(time.monotonic())
threads = [threading.Thread(target=emit, args=(events // 4,), daemon=True) for _ in range(4)]
for t in threads: t.start()

# Poll every 0.2 s: first delivery, last growth. Stop when every job arrived or the count has not
# grown for 1 s, or, with a GET run, when that run is over; at most 90 s.
first = last = wrk = None
try:
    while time.monotonic() - t0 < 90:
        now, n = time.monotonic(), count() - before
        emitted = len(ended) == len(threads)
        if first is None and n > 0:
            first = last = (now, n)
            if wrk_cmd: wrk = GetRuns(); wrk.start()
        elif first and n > last[1]:
            last = (now, n)
        if wrk is not None and not wrk.is_alive(): break
        if first and wrk is None and emitted and (n >= sum(accepted) * 20 or now - last[0] >= 1.0): break
        time.sleep(max(0, 0.2 - (time.monotonic() - now)))
    if wrk is not None:
        wrk.join()
finally:
    if wrk is not None and wrk.is_alive():
        wrk.stop()
for t in threads: t.join()
jobs, emit_s = sum(accepted) * 20, max(ended) - t0
if first is None:
    print("RESULT %d %.2f 0 0 0 0 0" % (jobs, emit_s)); sys.exit()
window = last[0] - first[0]
rate = (last[1] - first[1]) / window if window > 0 else 0
# jobs, seconds emitting, delivered, seconds from t0 to the first delivery seen, window,
# deliveries/s, seconds the GET run went on after the last delivery seen
print("RESULT %d %.2f %d %.2f %.2f %.0f %.1f" % (jobs, emit_s, last[1], first[0] - t0, window, rate,
                                               time.monotonic() - last[0] - 0.2 if wrk else 0))
EOF
start receiver "$BBIN"; rpid=$pid rbase=$base
# the first attempt comes 6 s after its event: every job is queued before the first is due
start deliveries "$IBIN" --retry-schedule 6,1 --delivery-concurrency 8; dpid=$pid dbase=$base
dtok=$(token "$dbase" bench); [ -n "$dtok" ] || die "integrationsd gave no token"
for n in $(seq 20); do
    id=$(curl -s "$dbase/v2/integrations" -H "Authorization: Bearer $dtok" -H "Content-Type: application/json" \
        -d '{"data":{"type":"integration","integration_type":"webhook","name":"Receiver '"$n"'","enabled":true,"configuration":{"url":"'"$rbase"'/hook"},"observes":["order.paid"]}}' |
        sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p')
    [ -n "$id" ] || die "integrationsd: create failed"
done
echo "== deliveries: integrationsd -> baseline receiver, 20 integrations, $EVENTS events per round"
# p99 of GET by id for a client with 4 requests under way (a test suite calling the API while its
# webhooks are delivered), idle and during deliveries; the median of three runs of each. A load that
# saturates both cores would measure the scheduler rather than the server.
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
getlat() { wrk -t1 -c4 -d4s --latency -s "$dir/get.lua" -H "Authorization: Bearer $dtok" "$dbase/v2/integrations/$id"; }
# p99_runs LABEL [LOOPS]: the GET run three times, beside LOOPS busy loops in the idle scheduling
# class (0: none); sets p99 to the median p99.
p99_runs() {
    label=$1 busy=${2:-0} runs=""
    for k in 1 2 3; do
        loops=""
        for n in $(seq "$busy"); do timeout 5 chrt -i 0 sh -c 'while :; do :; done' & loops="$loops $!"; done
        pids="$pids $loops"
        fg "$dir/wrk.out" getlat || true
        for p in $loops; do stop "$p"; done
        set -- $(sed -n 's/^RESULT //p' "$dir/wrk.out") 0 0 0 0 0 0
        printf '  %-46s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %s\n' "$label" "$1" "$2" "$3" "$4"
        runs="$runs $3"
    done
    p99=$(median $runs)
}
p99_runs "GET /v2/integrations/{id}, runner idle"
idle99=$p99
# The machine's own floor: the same run beside two busy loops in the idle scheduling class (they
# yield to any other thread; integrationsd plays no part). What this costs the p99 is what any
# work beside the API costs it on this machine, however low its priority.
p99_runs "GET /v2/integrations/{id}, 2 idle loops" 2
floor99=$p99
deliver() {
    fg "$dir/deliver.out" python3 "$dir/deliver.py" "$dbase" "$dtok" "$rbase" $EVENTS "$@" || true
    set -- $(sed -n 's/^RESULT //p' "$dir/deliver.out") 0 0 0 0 0 0 0
    jobs=$1 emit_s=$2 delivered=$3 to_first=$4 window=$5 drate=$6 tail=$7
    echo "  $jobs jobs queued in $emit_s s; first delivery seen after $to_first s; $delivered delivered," \
        "$drate deliveries/s over the $window s from the first to the last seen"
    [ "$(calc %d "$emit_s > $to_first")" = 0 ] || echo "  (deliveries began before all events were in)"
    [ "$(calc %d "$tail > 0.5")" = 0 ] || echo "  (deliveries were over $tail s before the GET run ended)"
}
echo " round 1: deliveries alone"
deliver
rate=$drate
echo " round 2: the same, with GET /v2/integrations/{id} started at the first delivery"
: >"$dir/wrk-busy.out"
deliver "$dir/wrk-busy.out" wrk -t1 -c4 -d4s --latency -s "$dir/get.lua" \
    -H "Authorization: Bearer $dtok" "$dbase/v2/integrations/$id"
sed -n 's/^RESULT //p' "$dir/wrk-busy.out" >"$dir/busy.txt"
busy_runs=""
while read -r rps p50 p99 bad errs reqs; do
    printf '  %-46s %8.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %s\n' "GET /v2/integrations/{id}, delivering" \
        "$rps" "$p50" "$p99" "$bad"
    [ "$bad$errs" = 00 ] || echo "  !!!!! GET while delivering: $bad error answers (status >= 400) and $errs socket errors"
    busy_runs="$busy_runs $p99"
done <"$dir/busy.txt"
[ -n "$busy_runs" ] || busy_runs="0 0 0"
busy99=$(median $busy_runs)
stop "$dpid"
# the receiver's own speed of light: wrk POSTing bodies of the delivered size straight to /hook
size=$(curl -s "$rbase/count" | sed -n 's/.*"count":\([0-9]*\),"bytes":\([0-9]*\).*/\2 \1/p' |
    awk '{ print ($2 ? int($1 / $2) : 1000) }')
lua_post "$dir/hook.lua" "{\"pad\":\"$(head -c $((size > 10 ? size - 10 : 1)) /dev/zero | tr '\0' x)\"}"
run "receiver POST /hook ($size-byte bodies)" "$dir/hook.lua" "$rbase/hook"
hook=$rps
stop "$rpid"

# --- table ------------------------------------------------------------------------------------
echo
table=$dir/table; : >"$table"
row() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$table"; }            # figure i b ratio target met
judge() { calc %s "($1) ? \"met\" : \"NOT MET\""; }
f0() { calc %.0f "$1"; }; f1() { calc %.1f "$1"; }; f2() { calc %.2f "$1"; }
r() { calc %.2f "$1 / ($2 + 1e-9)"; }                                   # ratio to the baseline
row "startup (ms)" "$(f1 "$i_start")" "$(f1 "$b_start")" "$(r "$i_start" "$b_start")" "<= 20 ms" \
    "$(judge "$i_start <= 20")"
row "idle RSS (MiB)" "$(f1 "$i_idle / 1024")" "$(f1 "$b_idle / 1024")" "$(r "$i_idle" "$b_idle")" "<= 8 MiB" \
    "$(judge "$i_idle <= 8192")"
post_met=$(judge "$i_post / ($b_post + 1e-9) >= 2.0")
[ "$i_postbad$b_postbad" = 00 ] || post_met="NOT MET (INVALID: error answers)"
row "POST req/s" "$(f0 "$i_post")" "$(f0 "$b_post")" "$(r "$i_post" "$b_post")" "ratio >= 2.0" "$post_met"
row "POST p50 (ms)" "$(f2 "$i_post50")" "$(f2 "$b_post50")" "$(r "$i_post50" "$b_post50")" "" ""
row "POST p99 (ms)" "$(f2 "$i_post99")" "$(f2 "$b_post99")" "$(r "$i_post99" "$b_post99")" "" ""
row "GET list req/s" "$(f0 "$i_list")" "$(f0 "$b_list")" "$(r "$i_list" "$b_list")" "ratio >= 1.0" \
    "$(judge "$i_list / ($b_list + 1e-9) >= 1.0")"
row "GET list, each page written anew" "$(f0 "$i_fresh")" "$(f0 "$b_fresh")" "$(r "$i_fresh" "$b_fresh")" "" ""
row "GET list p50 (ms)" "$(f2 "$i_list50")" "$(f2 "$b_list50")" "$(r "$i_list50" "$b_list50")" "" ""
row "GET list p99 (ms)" "$(f2 "$i_list99")" "$(f2 "$b_list99")" "$(r "$i_list99" "$b_list99")" "" ""
row "GET {id} req/s" "$(f0 "$i_one")" "$(f0 "$b_one")" "$(r "$i_one" "$b_one")" "" ""
row "GET {id} p50 (ms)" "$(f2 "$i_one50")" "$(f2 "$b_one50")" "$(r "$i_one50" "$b_one50")" "" ""
row "GET {id} p99 (ms)" "$(f2 "$i_one99")" "$(f2 "$b_one99")" "$(r "$i_one99" "$b_one99")" "" ""
big_met=$(judge "$i_big >= 0.8")
[ "$i_rows" -ge $ROWS ] || big_met="NOT MET (store reached only $i_rows rows)"
[ "$i_bigbad" = 0 ] || big_met="NOT MET (INVALID: error answers)"
row "POST req/s at 100k rows / empty" "$(f2 "$i_big")" "$(f2 "$b_big")" "$(r "$i_big" "$b_big")" ">= 0.8" "$big_met"
row "peak RSS (MiB)" "$(f1 "$i_hwm / 1024")" "$(f1 "$b_hwm / 1024")" "$(r "$i_hwm" "$b_hwm")" "" ""
row "deliveries/s (vs receiver req/s)" "$(f0 "$rate")" "$(f0 "$hook")" "$(r "$rate" "$hook")" ">= 5000" \
    "$(judge "$rate >= 5000")"
row "GET {id} p99 delivering/idle (ms)" "$(f2 "$busy99")/$(f2 "$idle99")" "" "$(r "$busy99" "$idle99")" \
    "<= 1.2 x idle" "$(judge "$busy99 <= 1.2 * $idle99")"
row "  beside 2 idle-class busy loops" "$(f2 "$floor99")/$(f2 "$idle99")" "" "$(r "$floor99" "$idle99")" "" ""
awk -F '\t' 'BEGIN { printf "%-34s | %13s | %8s | %6s | %-13s | %s\n", "figure", "integrationsd", "baseline", "ratio", "target", "met" }
    { printf "%-34s | %13s | %8s | %6s | %-13s | %s\n", $1, $2, $3, $4, $5, $6; if ($6 ~ /^NOT MET/) bad++ }
    END { print (bad ? "targets: " bad " not met" : "targets: all met") }' "$table"
echo "(whole run: $(($(date +%s) - started)) s)"
