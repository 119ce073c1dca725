#!/bin/sh
# Runs each libFuzzer harness for a number of seconds, one process at a time, on a copy of its
# committed corpus (tests/fuzz/corpus/<name>, copied into <build>/corpus/<name>, where new inputs
# go), with its dictionary when there is one. Prints the executions of each and the total; exits
# non-zero when any harness found something (crash, leak, sanitizer report, timeout), whose input
# is kept as <build>/artifacts/<name>-*.
# Usage: run.sh BUILD SECONDS NAME...
set -u
build=$1 seconds=$2
shift 2
mkdir -p "$build/corpus" "$build/artifacts" "$build/logs"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
total=0 failed=""
for name in "$@"; do
    corpus="$build/corpus/$name"
    mkdir -p "$corpus"
    cp tests/fuzz/corpus/"$name"/* "$corpus"/ 2>/dev/null
    dict=""
    [ -f tests/fuzz/"$name".dict ] && dict="-dict=tests/fuzz/$name.dict"
    log="$build/logs/$name.log"
    # shellcheck disable=SC2086
    "$build/bin/fuzz_$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/artifacts/$name-" $dict "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    runs=${runs:-0}
    total=$((total + runs))
    if [ "$rc" -eq 0 ]; then
        printf 'fuzz %-8s %12s executions in %ss\n' "$name" "$runs" "$seconds"
    else
        printf 'fuzz %-8s %12s executions: FAILED (exit %s), see %s\n' "$name" "$runs" "$rc" "$log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant broken|.*runtime error)' "$log" | head -n 5
        failed="$failed $name"
    fi
done
printf 'fuzz total    %12s executions\n' "$total"
if [ -n "$failed" ]; then
    echo "fuzz: findings in:$failed (inputs in $build/artifacts/)" >&2
    exit 1
fi
