#!/usr/bin/env bash
# Builds fuzz/corpus/<target>/ from the repository's real fixtures (testdata/runs, testdata/bad-runs,
# and fuzz/regressions). Idempotent: files are named by content hash. Corpora are not committed.
#
#   fuzz/seed.sh            # from anywhere
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
corpus="$here/corpus"
td="$root/testdata"

put() { # put TARGET FILE-OR-STDIN: store stdin under its hash
    local target="$1" tmp
    mkdir -p "$corpus/$target"
    tmp="$(mktemp)"
    cat >"$tmp"
    if [ -s "$tmp" ]; then
        mv "$tmp" "$corpus/$target/seed-$(sha1sum "$tmp" | cut -c1-16)"
    else
        rm -f "$tmp"
    fi
}

worker_logs=$(find "$td" -type f \( -name '*_w[0-9]*.out' -o -name '*_w[0-9]*.err' \) | sort)
bench_outs=$(find "$td" -type f -name 'benchmark.out' | sort)
sweep_logs=$(find "$td" -type f -name 'sweep_*.log' | sort)
aiperf_json=$(find "$td" -type f -name 'profile_export_aiperf.json' | sort)
other_json=$(find "$td" -type f -name '*.json' ! -name 'profile_export_aiperf.json' | sort)
yamls=$(find "$td" -type f -name 'config.yaml' | sort)

# Line targets: every line of a worker log that holds one of the parsers' markers, one file each.
for f in $worker_logs; do
    grep -a -E 'batch|mem=|mem usage=|KV Cache is|server_args=|\[CMD\]|launch_server|dynamo\.|iter = |emory |paged KV cache|max_seq_len=|engine args|rank0 run |trtllm-serve |^\+' "$f" |
        head -n 400 | while IFS= read -r line; do
            printf '%s' "$line" | put sglang_line
            printf '%s' "$line" | put trtllm_line
        done || true
done

# Stream targets: 3 header bytes (line cap hi/lo, read-pattern seed), then a whole log or its head.
for f in $worker_logs; do
    for hdr in '\x00\xff\x07' '\x00\x50\x01' '\x0f\xff\x2a'; do
        for target in sglang_stream trtllm_stream; do
            { printf "$hdr"; cat "$f"; } | put "$target"
            { printf "$hdr"; head -c 4096 "$f"; } | put "$target"
        done
    done
done

# sa-bench result JSON (every JSON: non-results must be rejected, not crash).
for f in $other_json; do put sa_bench_result <"$f"; done
for f in $aiperf_json; do put aiperf_export <"$f"; put sa_bench_result <"$f"; done
for f in $other_json; do
    case "$f" in *results_*|*isl_*) put aiperf_export <"$f" ;; esac
done

# benchmark.out text.
for f in $bench_outs; do put benchmark_out <"$f"; put launch_commands <"$f"; done

# Metadata: config.yaml 0xFF metadata JSON, and metadata JSON alone.
for f in $(find "$td" -type f -regex '.*/\([0-9]+\|metadata\)\.json' | sort); do
    dir="$(dirname "$f")"
    put metadata <"$f"
    if [ -f "$dir/config.yaml" ]; then
        { cat "$dir/config.yaml"; printf '\xff'; cat "$f"; } | put metadata
    fi
done
for f in $yamls; do put metadata <"$f"; done

# Launch commands: sweep logs, command lines of worker logs, file names of run directories.
for f in $sweep_logs; do put launch_commands <"$f"; done
for f in $worker_logs; do
    grep -a -E '\[CMD\]|launch_server|dynamo\.(sglang|trtllm)|trtllm-serve|rank0 run' "$f" | head -n 20 |
        while IFS= read -r line; do printf '%s' "$line" | put launch_commands; done || true
done
find "$td" -type f -printf '%f\n' | sort -u | put launch_commands

# Timestamps: the prefixes real lines start with, in every form.
for f in $worker_logs $sweep_logs; do
    grep -a -o -E '[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}([.,][0-9]+)?(Z|[+-][0-9]{2}:?[0-9]{2})?' "$f" |
        sort -u | head -n 50 | while IFS= read -r ts; do printf '%s' "$ts" | put timestamp; done || true
done
for ts in '2025-12-30T15:52:38.206058Z' '2025-12-30T15:52:38.5+01:00' '2025-12-30T15:52:38.25-0530' \
          '2024-02-29 00:00:00' '1969-12-31T23:59:59.999999' '2025-11-04 05:31:43,123456789'; do
    printf '%s' "$ts" | put timestamp
done

# Regression inputs found earlier.
if [ -d "$here/regressions" ]; then
    for d in "$here"/regressions/*/; do
        [ -d "$d" ] || continue
        t="$(basename "$d")"
        for f in "$d"*; do
            case "$f" in *.md | *.diff) continue ;; esac
            [ -f "$f" ] && put "$t" <"$f"
        done
    done
fi

for d in "$corpus"/*/; do printf '%-18s %5d files\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"; done
