"""Page load time of the dashboard: each page run N times with Streamlit's AppTest on a
given warehouse, query cache cleared before every run (so each run executes the page's
SQL, as the first visit after a filter change does); p50 / p95 per page.

.venv/bin/python bench/queries/dashboard_time.py warehouse/sample.serving.duckdb [N]

It times the server side of a page (the script with its queries, in process); the
browser's drawing comes on top. One discarded warm-up run first pays the imports.
"""

import os
import statistics
import sys
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from behavior.dashboard.queries import DATABASE_ENV

database = Path(sys.argv[1]).resolve()
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 20
os.environ[DATABASE_ENV] = str(database)
app = Path(__file__).resolve().parents[2] / "scripts" / "behavior" / "dashboard" / "app.py"
pages = ["overview", "engagement", "learning", "commerce", "recommendations", "at_risk_users"]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


at = AppTest.from_file(str(app), default_timeout=600).run()  # warm-up: imports, connection
print(f"{database} ({database.stat().st_size / 1e6:.1f} MB), {runs} runs per page", flush=True)
print("| page | p50 (s) | p95 (s) | max (s) |\n|---|---:|---:|---:|", flush=True)
for page in pages:
    times = []
    for _ in range(runs):
        st.cache_data.clear()
        at.switch_page(f"pages/{page}.py")
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
    print(
        f"| {page} | {statistics.median(times):.3f} | {percentile(times, 0.95):.3f} "
        f"| {max(times):.3f} |",
        flush=True,
    )
