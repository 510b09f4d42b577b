#!/usr/bin/env bash
# Wall time of three typical `mf query` calls (README "Metrics" examples), 3 runs each,
# on the warehouse in $BEHAVIOR_DUCKDB_PATH (target warehouse). mf reads
# target/semantic_manifest.json, whose relation names carry the DuckDB file's stem: copy
# the manifest of a build of that same file there first.
set -uo pipefail
t() { local s; s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(echo "$(date +%s.%N) - $s" | bc) exit $?"; }
for run in 1 2 3; do
  echo "mf1 $(t .venv/bin/mf query --quiet --metrics dau,wau,mau,stickiness --group-by metric_time__day --start-time 2026-10-25 --end-time 2026-10-31 --order metric_time__day)"
  echo "mf2 $(t .venv/bin/mf query --quiet --metrics sessions,bounce_rate,median_session_seconds --group-by metric_time__month,session__platform --order metric_time__month,session__platform)"
  echo "mf3 $(t .venv/bin/mf query --quiet --metrics paid_orders,gross_revenue_usd,refunds_usd,net_revenue_usd,refund_rate --group-by metric_time__month,course__category --order metric_time__month,course__category --decimals 2)"
done
