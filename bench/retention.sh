#!/bin/sh
# `sh bench/retention.sh`: lists that cost the same whatever the table holds, and what pruning
# costs the write path. Two measurements, each a ratio between two figures of this one run:
#
# 1. Lists of jobs and logs answer in the same time with 100 000 rows as with 100. Two stores of
#    one integration each, one with 100 jobs (each with its log, its delivery record and one
#    event between them), one with 100 000; then wrk on each list of each store: the integration's
#    jobs, its logs, the store's logs, the wire journal (whole and by integration). Printed: req/s
#    and p50 of each (the better of two alternating runs), and big / small (goal: about 1.0).
#    The rows are written straight into the database file while the server is stopped (python3's
#    sqlite3, the server's own schema, the kept totals filled as the migration fills them): a
#    hundred thousand deliveries through the real path would take minutes and measure nothing more.
# 2. POST /v2/integrations while the pruning runs: the same filled database with every job finished
#    30 days ago, served with --retention 0 (nothing pruned) and with --retention 7 (pruning from
#    the start, in batches through the committer); wrk POSTs on each; printed: the two rates, their
#    ratio (goal: about 1.0), and how many rows the pruning deleted meanwhile. PART=2 runs this alone.
#
# A benchmark measures, it asserts nothing. Everything on 127.0.0.1; every process stopped by PID.
# Env: INTEGRATIONSD_BIN (build/integrationsd), ROWS (100000), DURATION (5s), CONNECTIONS (32).
set -eu
BIN=${INTEGRATIONSD_BIN:-build/integrationsd}
ROWS=${ROWS:-100000}
SMALL=100
DURATION=${DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-32}
. "$(dirname "$0")/lib.sh"
[ -x "$BIN" ] || { echo "retention: $BIN is missing (run make first)" >&2; exit 1; }
bench_setup retention wrk curl python3
die() { echo "retention: $*" >&2; exit 1; }
calc() { awk "BEGIN { print ($1) ? 1 : 0 }"; }

# start DB [ARGS]: the server on a free port; sets pid and base.
start() {
    db=$1; shift
    : >"$dir/out"
    BENCH_START_SECONDS=20 bench_serve "$dir/out" "$dir/err" "$BIN" --port 0 --db "$db" --quiet "$@"
}
stop() {
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
    pids=$(echo " $pids " | sed "s/ $1 / /")
}
token() {
    curl -s "$base/oauth/access_token" -d grant_type=client_credentials -d "client_id=$1" -d client_secret=bench |
        sed -n 's/.*"access_token":"\([0-9a-f]*\)".*/\1/p'
}
create() { # create TOKEN: an integration's id
    curl -s "$base/v2/integrations" -H "Authorization: Bearer $1" -H "Content-Type: application/json" \
        -d '{"data":{"type":"integration","integration_type":"webhook","name":"n","enabled":false,"configuration":{"url":"http://127.0.0.1:9/h"},"observes":["order.paid"]}}' |
        sed -n 's/.*"id":"\([0-9a-f-]*\)".*/\1/p'
}
report='function done(s, lat, req)
  io.write(string.format("RESULT %.1f %.3f %.3f %d %d\n", s.requests / (s.duration / 1e6),
    lat:percentile(50) / 1000, lat:percentile(99) / 1000, s.errors.status,
    s.errors.connect + s.errors.read + s.errors.write + s.errors.timeout))
end'
printf '%s\n' "$report" >"$dir/get.lua"
printf 'wrk.method = "POST"\nwrk.body = [[%s]]\nwrk.headers["Content-Type"] = "application/json"\n%s\n' \
    '{"data":{"type":"integration","integration_type":"webhook","name":"Order shipping notification","enabled":true,"configuration":{"url":"http://127.0.0.1:9/hook"},"observes":["order.fulfilled"]}}' \
    "$report" >"$dir/post.lua"
# measure LABEL SCRIPT URL TOKEN: one wrk run; sets rps p50
measure() {
    wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$2" -H "Authorization: Bearer $4" "$3" >"$dir/wrk.out" &
    w=$!; pids="$pids $w"; wait "$w" || true
    pids=$(echo " $pids " | sed "s/ $w / /")
    set -- "$1" $(sed -n 's/^RESULT //p' "$dir/wrk.out") 0 0 0 0 0
    rps=$2 p50=$3
    printf '  %-44s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %s/%s\n' "$1" "$2" "$3" "$4" "$5" "$6"
}

# fill DB STORE INTEGRATION N AGE_DAYS: N finished jobs of the integration, each with a log and a
# delivery record, their last activity AGE_DAYS ago; the kept totals (when the schema has them)
# recounted for the store as sql/009 counts them.
cat >"$dir/fill.py" <<'EOF'
import sqlite3, sys, time, uuid
db, store, integration, n, age_days = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
conn = sqlite3.connect(db)
job_columns = {r[1] for r in conn.execute("PRAGMA table_info(jobs)")}
has_counts = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'counts'").fetchone() is not None
now = int(time.time() * 1000) - int(age_days * 86400000)
event = str(uuid.uuid4())
conn.execute("BEGIN")
conn.execute("INSERT INTO events (id, store_id, trigger, payload, created_at) VALUES (?, ?, 'order.paid', '{}', ?)",
             (event, store, now - n))
extra = "log_count" in job_columns
jobs, logs, records = [], [], []
for i in range(n):
    t = now - n + i
    job, log = str(uuid.uuid4()), str(uuid.uuid4())
    jobs.append((job, event, integration, store, t, t) if extra else (job, event, integration, store, t))
    logs.append((log, job, integration, store, t))
    records.append((log, store, job, integration, t, t))
if extra:
    conn.executemany("INSERT INTO jobs (id, event_id, integration_id, store_id, state, attempts, created_at, log_count, "
                     "last_activity_at) VALUES (?, ?, ?, ?, 'succeeded', 1, ?, 1, ?)", jobs)
else:
    conn.executemany("INSERT INTO jobs (id, event_id, integration_id, store_id, state, attempts, created_at) "
                     "VALUES (?, ?, ?, ?, 'succeeded', 1, ?)", jobs)
conn.executemany("INSERT INTO logs (id, job_id, integration_id, store_id, attempt, succeeded, processing_time, body, "
                 "status_code, error_detail, created_at) VALUES (?, ?, ?, ?, 1, 1, 0.002, '', 200, '', ?)", logs)
conn.executemany("INSERT INTO deliveries (id, store_id, job_id, integration_id, trigger, attempt, transport, succeeded, "
                 "request, response, error_detail, duration_ms, started_at, finished_at) VALUES "
                 "(?, ?, ?, ?, 'order.paid', 1, 'webhook', 1, '{\"method\":\"POST\"}', '{\"status\":200}', '', 2.0, ?, ?)",
                 records)
if has_counts:
    conn.execute("DELETE FROM counts WHERE store_id = ?", (store,))
    conn.execute("INSERT INTO counts (store_id, integration_id, jobs, logs, deliveries) "
                 "SELECT ?1, integration_id, count(*), count(*), count(*) FROM jobs WHERE store_id = ?1 "
                 "GROUP BY integration_id", (store,))
    conn.execute("INSERT INTO counts (store_id, integration_id, jobs, logs, deliveries) "
                 "SELECT store_id, '', sum(jobs), sum(logs), sum(deliveries) FROM counts WHERE store_id = ?1 "
                 "GROUP BY store_id", (store,))
conn.execute("COMMIT")
conn.close()
EOF
store_of() { # store_of DB CLIENT
    python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT store_id FROM clients WHERE client_id = ?", (sys.argv[2],)).fetchone()[0])' "$1" "$2"
}

echo "machine: $(nproc) CPUs, $(uname -sr); $BIN; wrk -t2 -c$CONNECTIONS -d$DURATION"
: >"$dir/table"
if [ "${PART:-all}" != 2 ]; then   # PART=2: the second measurement alone
echo "== 1. lists: $SMALL rows against $ROWS rows"
start "$dir/lists.db" --retention 0
small_tok=$(token small); big_tok=$(token big)
small_id=$(create "$small_tok"); big_id=$(create "$big_tok")
[ -n "$small_id" ] && [ -n "$big_id" ] || die "no integration was created"
stop "$pid"
t0=$(date +%s)
python3 "$dir/fill.py" "$dir/lists.db" "$(store_of "$dir/lists.db" small)" "$small_id" $SMALL 0
python3 "$dir/fill.py" "$dir/lists.db" "$(store_of "$dir/lists.db" big)" "$big_id" "$ROWS" 0
echo "  filled in $(($(date +%s) - t0)) s"
start "$dir/lists.db" --retention 0
for list in "jobs of the integration|/v2/integrations/{id}/jobs" "logs of the integration|/v2/integrations/{id}/logs" \
    "logs of the store|/v2/integrations/logs" "wire journal|/emulator/v1/deliveries" \
    "wire journal of the integration|/emulator/v1/deliveries?integration_id={id}"; do
    label=${list%%|*} path=${list#*|}
    s_rps=0 b_rps=0
    for round in 1 2; do   # small, big, small, big: the better of two runs of each
        measure "$label, $SMALL rows" "$dir/get.lua" "$base$(echo "$path" | sed "s/{id}/$small_id/")" "$small_tok"
        [ "$(calc "$rps > $s_rps")" = 0 ] || { s_rps=$rps s_p50=$p50; }
        measure "$label, $ROWS rows" "$dir/get.lua" "$base$(echo "$path" | sed "s/{id}/$big_id/")" "$big_tok"
        [ "$(calc "$rps > $b_rps")" = 0 ] || { b_rps=$rps b_p50=$p50; }
    done
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$s_rps" "$b_rps" "$s_p50" "$b_p50" >>"$dir/table"
done
total=$(curl -gs "$base/v2/integrations/$big_id/jobs?page[limit]=1" -H "Authorization: Bearer $big_tok" |
    sed -n 's/.*"results":{"total":\([0-9]*\)}.*/\1/p')
echo "  (results.total of the big list: $total)"
stop "$pid"
fi

echo "== 2. POST /v2/integrations with and without the pruning of $ROWS finished jobs (30 days old)"
start "$dir/prune.db" --retention 0
tok=$(token prune); id=$(create "$tok"); [ -n "$id" ] || die "no integration was created"
stop "$pid"
python3 "$dir/fill.py" "$dir/prune.db" "$(store_of "$dir/prune.db" prune)" "$id" "$ROWS" 30
for f in prune.db prune.db-wal prune.db-shm; do [ ! -e "$dir/$f" ] || cp "$dir/$f" "$dir/kept-$f"; done
rows() { python3 -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print(sum(c.execute("SELECT count(*) FROM " + t).fetchone()[0] for t in ("jobs", "logs", "deliveries", "events")))' "$1"; }
before=$(rows "$dir/prune.db")
kept=0 pruning=0
for round in 1 2; do   # alternating, the better of two runs of each (the pruning goes on across both)
    start "$dir/kept-prune.db" --retention 0 --max-integrations 1000000
    tok=$(token prune)
    measure "POST, nothing pruned (--retention 0)" "$dir/post.lua" "$base/v2/integrations" "$tok"
    [ "$(calc "$rps > $kept")" = 0 ] || kept=$rps
    stop "$pid"
    start "$dir/prune.db" --retention 7 --max-integrations 1000000
    tok=$(token prune)
    measure "POST, while pruning (--retention 7)" "$dir/post.lua" "$base/v2/integrations" "$tok"
    [ "$(calc "$rps > $pruning")" = 0 ] || pruning=$rps
    stop "$pid"
done
after=$(rows "$dir/prune.db")
echo "  rows pruned while POSTing (and until the stop): $((before - after)) of $before"

echo
awk -F '\t' '{ printf "  %-32s %6.0f req/s -> %6.0f req/s   p50 %5.2f -> %5.2f ms   %s rows / %s rows: %.2f\n",
    $1, $2, $3, $4, $5, "'$ROWS'", "'$SMALL'", $3 / ($2 + 1e-9) }' "$dir/table"
awk -v a="$pruning" -v b="$kept" 'BEGIN { printf "  POST while pruning / POST without: %.0f / %.0f = %.2f\n", a, b, a / (b + 1e-9) }'
