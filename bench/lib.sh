# Sourced by the bench scripts (`. "$(dirname "$0")/lib.sh"`): what each needs before it measures.
#
# bench_setup NAME TOOL...: stops with one line naming a missing tool; makes $dir, removed at exit,
#   and $pids, the processes stopped by PID at exit (a script adds every process it starts).
# bench_serve OUT ERR CMD...: starts CMD (a server given --port 0) in the background, stdout to OUT
#   and stderr to ERR, and waits up to BENCH_START_SECONDS (10) for its "listening on" line; sets
#   pid and base. Stops the script, showing ERR, when the server does not start.

bench_setup() {
    bench_name=$1; shift
    for tool in "$@"; do
        command -v "$tool" >/dev/null || { echo "$bench_name: $tool is not installed" >&2; exit 1; }
    done
    dir=$(mktemp -d)
    pids=""
    trap bench_cleanup EXIT
    trap 'exit 1' INT TERM HUP PIPE
}

bench_cleanup() {
    set +e
    for p in $pids; do kill "$p" 2>/dev/null; done     # every process at once,
    for p in $pids; do wait "$p" 2>/dev/null; done     # then wait for each
    rm -rf "$dir"
}

bench_serve() {
    bench_out=$1 bench_err=$2; shift 2
    "$@" >"$bench_out" 2>"$bench_err" &
    pid=$!; pids="$pids $pid"
    bench_tries=$(( ${BENCH_START_SECONDS:-10} * 20 ))
    until grep -qs '^listening on ' "$bench_out"; do
        bench_tries=$((bench_tries - 1))
        if [ $bench_tries -le 0 ] || ! kill -0 "$pid" 2>/dev/null; then
            echo "$bench_name: $1 did not start:" >&2; cat "$bench_err" >&2; exit 1
        fi
        sleep 0.05
    done
    base=$(sed -n 's/^listening on //p' "$bench_out" | head -1)
}
