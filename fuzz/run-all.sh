#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 120) each, one after another, one job each, and
# prints per target: executions, exec/s, corpus size (files) and new crash artifacts (crash-,
# timeout-, oom- and leak- files; slow-unit- reports are listed but not counted: on a shared
# machine a load spike can make any input slow, so replay them before believing them).
#
#   fuzz/run-all.sh [SECONDS] [TARGET...]
#
# Needs a nightly toolchain and cargo-fuzz. Seeds the corpora first (fuzz/seed.sh). Logs go to
# fuzz/logs/<target>.log; every run appends a row to fuzz/logs/summary.tsv.
# CARGO_TARGET_DIR defaults to /work/target-fuzz.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
secs="${1:-120}"
shift || true
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/work/target-fuzz}"
all=(sglang_line trtllm_line sglang_stream trtllm_stream sa_bench_result aiperf_export accuracy_files benchmark_out
     metadata launch_commands timestamp)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

max_len() {
    case "$1" in
        sglang_line | trtllm_line | timestamp) echo 4096 ;;
        sa_bench_result | aiperf_export | accuracy_files) echo 65536 ;;
        *) echo 16384 ;;
    esac
}

"$here/seed.sh" >/dev/null
cargo +nightly fuzz build >/dev/null 2>&1 || { echo "build failed: cargo +nightly fuzz build" >&2; exit 2; }
mkdir -p logs artifacts
[ -f logs/summary.tsv ] || printf 'date\ttarget\tseconds\texecs\texec_per_s\tcorpus_files\tnew_crashes\n' >logs/summary.tsv

printf '%-16s %8s %12s %9s %8s %8s\n' target seconds execs exec/s corpus crashes
any_crash=0
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "artifacts/$t"
    failures() { find "artifacts/$t" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l; }
    before=$(failures)
    slow_before=$(find "artifacts/$t" -type f -name 'slow-unit-*' | wc -l)
    dict=()
    [ -f "dicts/$t.dict" ] && dict=("-dict=dicts/$t.dict")
    start=$(date +%s)
    cargo +nightly fuzz run "$t" "corpus/$t" -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$(max_len "$t")" -print_final_stats=1 "${dict[@]}" >"logs/$t.log" 2>&1
    elapsed=$(( $(date +%s) - start ))
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$')
    eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$')
    if [ -z "$execs" ]; then # a crash ends the run before the final stats: use the last status line
        execs=$(grep -o '^#[0-9]*' "logs/$t.log" | tail -1 | tr -d '#')
        eps=$(grep -o 'exec/s: [0-9]*' "logs/$t.log" | tail -1 | grep -o '[0-9]*$')
    fi
    corpus=$(find "corpus/$t" -type f | wc -l)
    crashes=$(( $(failures) - before ))
    slow=$(( $(find "artifacts/$t" -type f -name 'slow-unit-*' | wc -l) - slow_before ))
    [ "$slow" -gt 0 ] && echo "    $slow slow-unit report(s) in artifacts/$t (not counted; replay to check)"
    [ "$crashes" -gt 0 ] && any_crash=1
    printf '%-16s %8s %12s %9s %8s %8s\n' "$t" "$elapsed" "${execs:-?}" "${eps:-?}" "$corpus" "$crashes"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "$elapsed" "${execs:-0}" "${eps:-0}" "$corpus" "$crashes" \
        >>logs/summary.tsv
    if [ "$crashes" -gt 0 ]; then
        grep -o "Test unit written to .*" "logs/$t.log" | head -3 | sed 's/^/    /'
        grep -m1 -A3 -E 'panicked|ERROR: (libFuzzer|AddressSanitizer)' "logs/$t.log" | sed 's/^/    /'
    fi
done
exit "$any_crash"
