"""Insights on demand over the unified event stream (marts.fct_user_events): funnels,
retention, lifecycle, trends and stickiness, each compiled to one parameterized DuckDB
query (README "Questions on demand").

Python API: open a read-only connection with `connect(database)`, then call
`funnel(con, [...])`, `retention(con, ...)`, `lifecycle(con, ...)`, `trends(con, [...])`
or `stickiness(con, ...)`; each returns an `InsightResult` (columns, rows) that
`write_result` prints or writes as CSV, JSON or Parquet. The CLI is `behavior insight`.
"""

from behavior.insights.common import (
    Calendar,
    EventFilter,
    InsightResult,
    connect,
    project_timezone,
    write_result,
)
from behavior.insights.funnel import Exclusion, funnel

__all__ = [
    "Calendar",
    "EventFilter",
    "Exclusion",
    "InsightResult",
    "connect",
    "funnel",
    "project_timezone",
    "write_result",
]
