"""Page load time of the dashboard: each page run N times with Streamlit's AppTest on a
given warehouse, each run in a new session with another date range (the 28 days ending
0, 1, 2, ... days before the latest day), so every run misses the query cache and
executes the page's SQL, as the first visit after a filter change does; p50 / p95 per
page. With more runs than the data has such ranges, later runs hit the cache.

.venv/bin/python bench/queries/dashboard_time.py warehouse/sample.serving.duckdb [N]

It times the server side of a page (the script with its queries, in process); the
browser's drawing comes on top. One discarded warm-up run first pays the imports.
"""

import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

import duckdb
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


with duckdb.connect(str(database), read_only=True) as con:
    first, latest = con.execute(
        "select min(report_date), max(report_date) from reports.rpt_mis_daily"
    ).fetchone()
AppTest.from_file(str(app), default_timeout=600).run()  # warm-up: imports
spread = max(1, (latest - first).days - 27)
print(f"{database} ({database.stat().st_size / 1e6:.1f} MB), {runs} runs per page", flush=True)
print("| page | p50 (s) | p95 (s) | max (s) |\n|---|---:|---:|---:|", flush=True)
for page in pages:
    times = []
    for run in range(runs):
        # a new session (its own connection) with a date range this page has not seen
        end = latest - dt.timedelta(days=run % spread)
        at = AppTest.from_file(str(app), default_timeout=600)
        at.session_state["filter_dates"] = (end - dt.timedelta(days=27), end)
        if page != "overview":
            at.run()
            at.switch_page(f"views/{page}.py")
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
        assert not at.exception, [e.value for e in at.exception]
        assert at.session_state["dashboard_filters"].end == end
    print(
        f"| {page} | {statistics.median(times):.3f} | {percentile(times, 0.95):.3f} "
        f"| {max(times):.3f} |",
        flush=True,
    )
