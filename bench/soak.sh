#!/bin/sh
# `sh bench/soak.sh`: does a normal client keep its latency under attack, and does anything grow?
# One server on a fresh database, four phases in a row:
#   1. alone:     the normal client by itself (BASELINE_SECONDS);
#   2. slowloris: ATTACKERS connections trickling a request head at 1 byte/s, never finishing it,
#                 each reopened as soon as the server closes it (ATTACK_SECONDS);
#   3. idle:      ATTACKERS keep-alive connections that make one request each, then sit idle,
#                 each reopened (and asking again) as soon as the server closes it (ATTACK_SECONDS);
#   4. soak:      a store's everyday traffic (creates, updates, deletes, events delivered to the
#                 server's own sink /emulator/v1/sink/soak, list, log and job reads) for
#                 SOAK_SECONDS, one row every 10 s: the client's p99 over those 10 s, the server's
#                 RSS and open files, the database and WAL sizes, the deliveries made.
# The normal client (bench/attackers.py client) sends GET /v2/integrations with a token at
# CLIENT_RATE requests a second over 4 keep-alive connections, each request at its scheduled time;
# a request's latency runs from the time it was due, so a stall counts for every request it held
# back. Every figure is reported beside the client's p99 alone, as a ratio to it.
# A benchmark measures, it asserts nothing: exit 0 whatever the figures (1 if the server fails to
# start). Everything on 127.0.0.1; every process stopped by PID; every load bounded in time.
#
# Env: INTEGRATIONSD_BIN (build/integrationsd), SOAK_SECONDS (600), ATTACK_SECONDS (40),
#      BASELINE_SECONDS (15), ATTACKERS (1000), CLIENT_RATE (100 req/s), MIXED_RATE (40 ops/s),
#      RETENTION_DAYS (0.0002, about 17 s; used when the server has --retention).
#      The server's own INTEGRATIONSD_* variables reach it too (INTEGRATIONSD_MAX_CONNECTIONS=1100
#      makes the idle phase crowd the server).
# Needs python3, curl; ss is used when present.
# shellcheck disable=SC3045,SC2046,SC2086  # ulimit -n/-Hn (dash, bash, busybox have them); RESULT lines split on purpose
set -eu
BIN=${INTEGRATIONSD_BIN:-build/integrationsd}
SOAK_SECONDS=${SOAK_SECONDS:-600}
ATTACK_SECONDS=${ATTACK_SECONDS:-40}
BASELINE_SECONDS=${BASELINE_SECONDS:-15}
ATTACKERS=${ATTACKERS:-1000}
CLIENT_RATE=${CLIENT_RATE:-100}
MIXED_RATE=${MIXED_RATE:-40}
RETENTION_DAYS=${RETENTION_DAYS:-0.0002}
HELPER=$(dirname "$0")/attackers.py
CLIENT_CONNS=4
. "$(dirname "$0")/lib.sh"
[ -x "$BIN" ] || { echo "soak: $BIN is missing (run make first)" >&2; exit 1; }
[ -f "$HELPER" ] || { echo "soak: $HELPER is missing" >&2; exit 1; }
started=$(date +%s)

# Open files: the attackers' sockets and the server's side of them. The server raises its own
# limit to the hard one; the attackers inherit this shell's.
hard=$(ulimit -Hn)
[ "$hard" = unlimited ] && hard=65536
[ "$hard" -gt 65536 ] && hard=65536
ulimit -n "$hard" 2>/dev/null || true
if [ "$(ulimit -n)" -lt $((ATTACKERS + 200)) ]; then
    echo "soak: the open-file limit ($(ulimit -n), hard $hard) is too low for $ATTACKERS connections" >&2; exit 1
fi

bench_setup soak python3 curl

# bg OUT CMD...: CMD in the background, stdout to OUT (stderr to OUT.err); sets bpid.
bg() {
    out=$1; shift
    "$@" >"$out" 2>"$out.err" &
    bpid=$!; pids="$pids $bpid"
}
# reap PID: wait for it (it ends by itself), forget it.
reap() {
    wait "$1" 2>/dev/null || true
    pids=$(echo " $pids " | sed "s/ $1 / /")
}
result() { sed -n 's/^RESULT //p' "$1"; }                  # result FILE: its RESULT line
calc() { awk "BEGIN { printf \"$1\", ($2) }"; }             # calc FORMAT EXPR
mib() { calc %.1f "$1 / 1024"; }                            # mib KIB
conns_held() {                                              # established connections to the server
    if command -v ss >/dev/null; then ss -Htn state established "( sport = :$port )" 2>/dev/null | wc -l
    else echo "?"; fi
}

# --- the server ---------------------------------------------------------------------------------
# A copy of the binary: others may rebuild build/integrationsd while this runs. The console log is
# kept (not --quiet): its delivery lines count the deliveries.
cp "$BIN" "$dir/integrationsd"
retention=""
if "$dir/integrationsd" --help 2>&1 | grep -q -- '--retention'; then
    retention="--retention $RETENTION_DAYS"
fi
# shellcheck disable=SC2086
bench_serve "$dir/server.log" "$dir/server.err" "$dir/integrationsd" --port 0 --db "$dir/soak.db" $retention
spid=$pid
port=${base##*:}
token() {
    curl -s "$base/oauth/access_token" -d grant_type=client_credentials -d "client_id=$1" -d client_secret=soak |
        sed -n 's/.*"access_token":"\([0-9a-f]*\)".*/\1/p'
}
ctok=$(token soak-client); itok=$(token soak-idle); mtok=$(token soak-mixed)
if [ -z "$ctok" ] || [ -z "$itok" ] || [ -z "$mtok" ]; then echo "soak: no token" >&2; exit 1; fi
# the client's store: 10 integrations, so that its list is a real page
for k in $(seq 10); do
    curl -s -o /dev/null -w '%{http_code}\n' "$base/v2/integrations" -H "Authorization: Bearer $ctok" \
        -H "Content-Type: application/json" \
        -d '{"data":{"type":"integration","integration_type":"webhook","name":"client '"$k"'","enabled":false,"configuration":{"url":"http://127.0.0.1:9/h"},"observes":["order.paid"]}}'
done | grep -qv 201 && { echo "soak: could not create the client's integrations" >&2; exit 1; }

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(uname -sr); open files $(ulimit -n)"
echo "server: $BIN ${retention:-(no --retention: growth is only reported)}, pid $spid, $base"
echo "client: GET /v2/integrations, $CLIENT_RATE req/s over $CLIENT_CONNS connections; attackers: $ATTACKERS connections, one process"
echo "busiest processes on the machine now:"
ps -eo pid,pcpu,comm --sort=-pcpu | sed -n '2,6p' | sed 's/^/   /'
echo

# client SECONDS INTERVAL OUT: the normal client; sets n p50 p99 max errs reconn rss0 rssmax rss1 fdmax
client() {
    bg "$3" python3 "$HELPER" client "$base" "$ctok" "$1" "$CLIENT_RATE" $CLIENT_CONNS "$2" "$spid" \
        "$dir/soak.db" "$dir/server.log"
}
client_result() {
    set -- $(result "$1") 0 0 0 0 0 0 0 0 0 0 0
    n=$1 p50=$2 p99=$3 max=$4 errs=$5 reconn=$6 rss0=$7 rssmax=$8 rss1=$9; shift 9; fdmax=$1 late99=$2
    [ "$n" != 0 ] || { echo "  !!!!! the client gave no result:"; cat "$dir/client.out.err"; }
}
line() { # line LABEL: the client's figures
    printf '  %-22s %6d req  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  errors %d  reconnects %d\n' \
        "$1" "$n" "$p50" "$p99" "$max" "$errs" "$reconn"
    printf '  %-22s the client itself sent late by up to %.2f ms (p99): its own share of the latency\n' "" "$late99"
    printf '  %-22s server RSS %s -> max %s -> %s MiB, open files at most %d\n' "" \
        "$(mib "$rss0")" "$(mib "$rssmax")" "$(mib "$rss1")" "$fdmax"
    if [ "$(grep -c '^ROW ' "$dir/client.out")" -gt 1 ]; then
        printf '  %-22s p99 every 5 s: %s ms\n' "" "$(awk '/^ROW / { printf "%s%.1f", s, $5; s = " " }' "$dir/client.out")"
    fi
}

# --- 1. alone -----------------------------------------------------------------------------------
echo "== 1. the normal client alone, $BASELINE_SECONDS s"
client "$BASELINE_SECONDS" "$BASELINE_SECONDS" "$dir/client.out"; reap "$bpid"
client_result "$dir/client.out"
line "alone"
a_n=$n a_p99=$p99 a_max=$max a_errs=$errs a_rss=$rss1 a_late=$late99
echo

# attack KIND ARGS...: the attacker for ATTACK_SECONDS + 5 s; 3 s to open its connections, then the
# client for ATTACK_SECONDS; the server's connections counted at the end; 3 s for it to let go.
attack() {
    kind=$1; shift
    bg "$dir/$kind.out" python3 "$HELPER" "$kind" 127.0.0.1 "$port" "$ATTACKERS" $((ATTACK_SECONDS + 5)) "$@"
    apid=$bpid
    sleep 3
    client "$ATTACK_SECONDS" 5 "$dir/client.out"; reap "$bpid"
    held=$(conns_held)
    rss_held=$(awk '$1 == "VmRSS:" { print $2 }' "/proc/$spid/status")
    reap "$apid"
    client_result "$dir/client.out"
    sleep 3
    after=$(conns_held)
}

# --- 2. slowloris -------------------------------------------------------------------------------
echo "== 2. slowloris: $ATTACKERS connections trickling a request head at 1 byte/s, ${ATTACK_SECONDS} s"
attack slowloris
line "beside slowloris"
s_n=$n s_p99=$p99 s_max=$max s_errs=$errs s_rss=$rssmax s_rss1=$rss1 s_late=$late99
set -- $(result "$dir/slowloris.out") 0 0 0 0 0 0 0 0 0
echo "  attacker: $1 connections opened, $2 closed by the server ($3 with an answer first:" \
    "$(sed -n 's/^STATUS //p' "$dir/slowloris.out")), after ${4}s min / ${5}s median / ${6}s max;" \
    "$7 still open at the end; $8 failed connects; $9 bytes trickled"
echo "  server: $held connections established at the end of the attack, $after 3 s after it"
[ -s "$dir/slowloris.out.err" ] && sed 's/^/  attacker stderr: /' "$dir/slowloris.out.err" | head -5
s_closed=$2 s_opened=$1 s_med=$5
echo

# --- 3. idle keep-alive -------------------------------------------------------------------------
echo "== 3. idle keep-alive: $ATTACKERS connections, one request each, then idle, ${ATTACK_SECONDS} s"
attack idle "$itok"
line "beside idle conns"
i_n=$n i_p99=$p99 i_max=$max i_errs=$errs i_rss=$rssmax i_rss1=$rss1 i_late=$late99
set -- $(result "$dir/idle.out") 0 0 0 0 0 0 0 0 0
echo "  attacker: $1 connections opened, $2 answers, $3 closed by the server while idle" \
    "(after ${5}s min / ${6}s median / ${7}s idle max), $4 closed before their answer;" \
    "$8 still open at the end; $9 failed connects; answers: $(sed -n 's/^STATUS //p' "$dir/idle.out")"
echo "  server: $held connections established at the end of the attack, $after 3 s after it"
i_per=$(calc %.0f "($rss_held - $s_rss1) / ($held + 1e-9)")
echo "  server RSS with them open: $(mib "$rss_held") MiB, $i_per KiB a connection above the RSS after the slowloris phase"
[ -s "$dir/idle.out.err" ] && sed 's/^/  attacker stderr: /' "$dir/idle.out.err" | head -5
i_opened=$1 i_closed=$3
echo

# --- 4. soak ------------------------------------------------------------------------------------
echo "== 4. soak: mixed load at $MIXED_RATE ops/s for $SOAK_SECONDS s, deliveries to $base/emulator/v1/sink/soak"
bg "$dir/mixed.out" python3 "$HELPER" mixed "$base" "$mtok" "$SOAK_SECONDS" "$MIXED_RATE" "$base/emulator/v1/sink/soak"
mpid=$bpid
client "$SOAK_SECONDS" 10 "$dir/soak.out"; cpid=$bpid
printf '  %6s %6s %8s %8s %9s %4s %8s %5s %8s %8s %9s %6s %8s\n' t/s req p50/ms p99/ms max/ms err RSS/MiB files db/MiB wal/MiB delivered failed late/ms
shown=0
show_rows() {
    total=$(grep -c '^ROW ' "$dir/soak.out" || true)
    while [ "$shown" -lt "$total" ]; do
        shown=$((shown + 1))
        grep '^ROW ' "$dir/soak.out" | sed -n "${shown}p" | awk '{
            printf "  %6d %6d %8.2f %8.2f %9.2f %4d %8.1f %5d %8.2f %8.2f %9d %6d %8.2f\n",
                $2, $3, $4, $5, $6, $7, $8 / 1024, $9, $10 / 1048576, $11 / 1048576, $12, $13, $14 }'
    done
}
while kill -0 "$cpid" 2>/dev/null; do
    show_rows
    sleep 1
done
reap "$cpid"
show_rows
reap "$mpid"
client_result "$dir/soak.out"
m_n=$n m_p99=$p99 m_max=$max m_errs=$errs m_reconn=$reconn m_late=$late99
worst=$(awk '/^ROW / && $5 > w { w = $5 } END { printf "%.2f", w + 0 }' "$dir/soak.out")
set -- $(result "$dir/mixed.out") 0 0 0 0 0 0 0 0
echo "  mixed load: $1 operations ($2 unexpected answers): $3 creates, $4 updates, $5 deletes, $6 events" \
    "($8 jobs queued), $7 reads"
[ -s "$dir/mixed.out.err" ] && sed 's/^/  mixed stderr: /' "$dir/mixed.out.err" | head -5
delivered=$(awk '/^ROW / { ok += $12; bad += $13 } END { printf "%d %d", ok, bad }' "$dir/soak.out")
echo "  deliveries seen in the console log during the soak: ${delivered% *} succeeded, ${delivered#* } failed"
if [ -n "$retention" ]; then
    kept=$(curl -gs "$base/emulator/v1/deliveries?page[limit]=1" -H "Authorization: Bearer $mtok" |
        sed -n 's/.*"results":{"total":\([0-9]*\)}.*/\1/p' | head -1)
    echo "  delivery records the store keeps at the end (--retention $RETENTION_DAYS days): ${kept:-?}"
fi
# flat? the mean of the last third of the rows against the first third
flat=$(awk '/^ROW / { m++; rss[m] = $8; db[m] = $10 + $11 }
    END {
        t = int(m / 3); if (t < 1) t = 1
        for (k = 1; k <= t; k++) { r1 += rss[k]; d1 += db[k]; r3 += rss[m - t + k]; d3 += db[m - t + k] }
        r1 /= t; r3 /= t; d1 /= t; d3 /= t
        printf "%.1f %.1f %.3f %.2f %.2f %.3f %d", r1 / 1024, r3 / 1024, r3 / (r1 + 1e-9),
            d1 / 1048576, d3 / 1048576, d3 / (d1 + 1e-9), t
    }' "$dir/soak.out")
set -- $flat
verdict() { calc %s "($1) <= 1.10 ? \"flat\" : \"GREW\""; }
echo "  RSS, mean of the first $7 rows vs the last $7: $1 -> $2 MiB (x$3): $(verdict "$3")"
echo "  db + wal, same rows:                       $4 -> $5 MiB (x$6): $(verdict "$6")"
f_rss="$1 -> $2 MiB (x$3, $(verdict "$3"))" f_db="$4 -> $5 MiB (x$6, $(verdict "$6"))"
echo

# --- report -------------------------------------------------------------------------------------
echo "== report (target: the client's p99 < 100 ms in every phase)"
ratio() { calc %.2f "$1 / ($a_p99 + 1e-9)"; }
met() { calc %s "($1) < 100 ? \"met\" : \"NOT MET\""; }
printf '  %-34s %7s %9s %9s %7s %11s %10s  %s\n' phase requests "p99/ms" "max/ms" errors "p99/alone" "late p99" "p99<100ms"
printf '  %-34s %7d %9.2f %9.2f %7d %11s %10.2f  %s\n' "alone (${BASELINE_SECONDS}s)" "$a_n" "$a_p99" "$a_max" "$a_errs" 1.00 "$a_late" "$(met "$a_p99")"
printf '  %-34s %7d %9.2f %9.2f %7d %11s %10.2f  %s\n' "slowloris x$ATTACKERS (${ATTACK_SECONDS}s)" "$s_n" "$s_p99" "$s_max" "$s_errs" "$(ratio "$s_p99")" "$s_late" "$(met "$s_p99")"
printf '  %-34s %7d %9.2f %9.2f %7d %11s %10.2f  %s\n' "idle keep-alive x$ATTACKERS (${ATTACK_SECONDS}s)" "$i_n" "$i_p99" "$i_max" "$i_errs" "$(ratio "$i_p99")" "$i_late" "$(met "$i_p99")"
printf '  %-34s %7d %9.2f %9.2f %7d %11s %10.2f  %s\n' "mixed load (${SOAK_SECONDS}s)" "$m_n" "$m_p99" "$m_max" "$m_errs" "$(ratio "$m_p99")" "$m_late" "$(met "$m_p99")"
printf '  %-34s %7s %9.2f %9s %7s %11s %10s  %s\n' "  worst 10 s of the mixed load" "" "$worst" "" "" "$(ratio "$worst")" "" "$(met "$worst")"
echo "  (late p99: how late the client itself sent its requests; a stall of the client or of the machine, not the server's)"
echo "  slowloris: $s_closed of $s_opened attacker connections closed by the server, median after ${s_med}s"
echo "  idle:      $i_closed of $i_opened attacker connections closed by the server"
echo "  idle:      $i_per KiB of server RSS a held idle connection"
echo "  server RSS: alone $(mib "$a_rss") MiB; slowloris max $(mib "$s_rss") (end $(mib "$s_rss1")); idle max $(mib "$i_rss") (end $(mib "$i_rss1")) MiB"
echo "  soak RSS:   $f_rss"
echo "  soak db:    $f_db"
[ "$m_reconn" = 0 ] || echo "  (the client reopened $m_reconn connections during the soak)"
kill -0 "$spid" 2>/dev/null || echo "  !!!!! the server is gone: $(tail -3 "$dir/server.err")"
echo "(whole run: $(($(date +%s) - started)) s)"
