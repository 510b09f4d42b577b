"""Median in-process time of one question per insight type (3 runs each).

.venv/bin/python bench/queries/insights_time.py warehouse/behavior.serving.duckdb
"""

import statistics
import sys
import time

from behavior.insights import connect
from behavior.insights.funnel import funnel
from behavior.insights.lifecycle import lifecycle
from behavior.insights.retention import retention
from behavior.insights.stickiness import stickiness
from behavior.insights.trends import trends

con = connect(sys.argv[1])  # a serving (or build) file with marts.fct_user_events
cases = {
    "funnel ordered (click -> cart -> paid, 14 d)": lambda: funnel(
        con, ["course_click", "cart_add", "transaction_completed"]
    ),
    "funnel strict (session_open -> screen_view -> screen_view)": lambda: funnel(
        con, ["session_open", "screen_view", "screen_view"], order="strict"
    ),
    "retention weekly, first_time": lambda: retention(con),
    "lifecycle weekly": lambda: lifecycle(con),
    "trends MAU daily": lambda: trends(con, math="mau"),
    "stickiness days": lambda: stickiness(con),
}
for name, fn in cases.items():
    times = []
    for _ in range(3):
        s = time.perf_counter()
        fn()
        times.append(time.perf_counter() - s)
    print(
        f"{name}: median {statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})",
        flush=True,
    )
