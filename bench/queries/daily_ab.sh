#!/bin/sh
# Interleaved A/B timing of the daily run's dbt command from two checkouts of the
# project (A, B: two commits, e.g. `git worktree add`) on one built warehouse file.
#
# usage: sh bench/queries/daily_ab.sh DIR_A DIR_B DATABASE PAIRS
#
# Each run is the daily run's `dbt build --exclude-resource-type unit_test` with
# BEHAVIOR_TEST_RECENT_ONLY=true, target `warehouse`, on DATABASE, with whatever has
# been loaded since (nothing, when run on a built file). A warm-up pair first (the
# first run of each side may rebuild a model whose materialization differs), then
# PAIRS pairs, the side that runs first alternating. One line per run: process wall
# time, dbt's elapsed time and the sum of node times, from each side's
# run_results.json (target folder under $TMPDIR). Writes to DATABASE.
set -eu
DIR_A=$1 DIR_B=$2 DB=$3 PAIRS=$4
DBT=${DBT:-$(cd "$(dirname "$0")/../.." && pwd)/.venv/bin/dbt}
OUT=$(mktemp -d)
export BEHAVIOR_TARGET=warehouse BEHAVIOR_DUCKDB_PATH=$DB BEHAVIOR_TEST_RECENT_ONLY=true

run() {
    side=$1
    if [ "$side" = A ]; then dir=$DIR_A; else dir=$DIR_B; fi
    start=$(date +%s.%N)
    rc=0
    (cd "$dir" && DBT_PROFILES_DIR=$dir DBT_PROJECT_DIR=$dir "$DBT" build \
        --exclude-resource-type unit_test --target-path "$OUT/$side" -q \
        > "$OUT/$side.log" 2>&1) || rc=$?
    end=$(date +%s.%N)
    python3 - "$side" "$start" "$end" "$rc" "$OUT/$side/run_results.json" <<'PY'
import json, sys
side, start, end, rc, results = sys.argv[1:]
r = json.load(open(results))
node = sum(x["execution_time"] for x in r["results"])
print(f"{side} wall {float(end) - float(start):.2f} s  dbt {r['elapsed_time']:.2f} s  "
      f"node {node:.2f} s  exit {rc}", flush=True)
PY
}

run A
run B
i=0
while [ "$i" -lt "$PAIRS" ]; do
    if [ $((i % 2)) = 0 ]; then run B; run A; else run A; run B; fi
    i=$((i + 1))
done
