#!/usr/bin/env bash
# Sums fuzz/logs/summary.tsv (one row per target run of run-all.sh) per target, as the Markdown
# table of docs/FUZZING.md: total seconds, executions, exec/s over the total, corpus size after
# the last run, crash artifacts.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
awk -F'\t' 'NR > 1 {
        if (!($2 in secs)) order[n++] = $2
        secs[$2] += $3; execs[$2] += $4; corpus[$2] = $6; crashes[$2] += $7; runs[$2]++
    }
    END {
        print "| target | runs | total s | executions | exec/s | corpus (files) | crashes |"
        print "|---|---:|---:|---:|---:|---:|---:|"
        for (i = 0; i < n; i++) {
            t = order[i]
            printf "| `%s` | %d | %d | %d | %d | %d | %d |\n", t, runs[t], secs[t], execs[t], (secs[t] ? execs[t] / secs[t] : 0), corpus[t], crashes[t]
        }
    }' "$here/logs/summary.tsv"
