"""What `behavior bench` runs: data sizes, the steps and their options, the dbt flags of
`make daily`, the seven core marts and the history-growth data sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SIZES = "1M,10M"
DEFAULT_DAYS = 60  # history days; the data set has one more day, the "new" one
DEFAULT_START = "2026-09-01"
# The loader's earliest_at bound (contract.py): a history-growth data set may not start
# before it.
EARLIEST_START = "2015-01-01"
# `make daily`: data tests on incremental models check recent rows (switched on through
# the environment, which keeps dbt's partial-parse cache); no unit tests; dbt's file
# log at info (the Makefile's DAILY_FLAGS).
DAILY_ENV = ("env", "BEHAVIOR_TEST_RECENT_ONLY=true")
DAILY_ARGS = ("--exclude-resource-type", "unit_test", "--log-level-file", "info")
# DuckDB settings of the dbt profile (profiles.yml), replayed for the plain SQL run.
PROFILE_DUCKDB_THREADS = "2"
PROFILE_MEMORY_LIMIT = "3GB"
UNITS = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
# The seven core outputs' marts (issue 12); `dbt run --select` of them with their parents.
CORE_MARTS = (
    "fct_app_sessions",
    "fct_user_daily_activity",
    "fct_engagement_daily",
    "fct_retention_cohorts",
    "fct_purchase_funnel",
    "fct_revenue_daily",
    "fct_quiz_attempts",
)
CORE_SELECT = tuple(f"+{mart}" for mart in CORE_MARTS)
# The side-by-side table: (step, contender, what it computes).
CONTENDERS = (
    ("core_floor", "hand-written DuckDB SQL, one connection", "the seven core outputs"),
    ("core_pandas", "vectorized pandas script", "the seven core outputs"),
    ("core_run", "`dbt run` of the 7 core marts and their parents", "the seven core marts"),
    ("core_build", "full `dbt build`", "every model, data test and unit test"),
    ("core_daily", "`make daily` after one more day", "incremental build, recent-rows tests"),
    (
        "core_daily_publish",
        "`make daily`'s publish after it",
        "the serving file brought up to date from the history's",
    ),
)


# --- sizes ---------------------------------------------------------------------------


def parse_size(text: str) -> int:
    """'1M' -> 1_000_000, '200k' -> 200_000, '2.5M', '150000'."""
    value = text.strip().lower().replace("_", "").replace(",", "")
    if not value:
        raise ValueError("empty size")
    factor = UNITS.get(value[-1], 1)
    number = value[:-1] if value[-1] in UNITS else value
    rows = int(float(number) * factor)
    if rows < 1:
        raise ValueError(f"size must be positive: {text!r}")
    return rows


def size_label(rows: int) -> str:
    """Short label: 1_000_000 -> '1M', 200_000 -> '200k', 1_500_000 -> '1.5M'."""
    for suffix, factor in (("M", 1_000_000), ("k", 1_000)):
        if rows >= factor:
            return f"{rows / factor:g}{suffix}"
    return str(rows)


@dataclass(frozen=True)
class GrowthSet:
    """A data set of the history-growth step: `target_rows` raw rows over `days` days
    (the new day included) from `start`; every set ends on the bench's new day."""

    name: str
    target_rows: int
    days: int
    start: str


def growth_sets(opts: Options, rows: int) -> tuple[GrowthSet, GrowthSet] | None:
    """Issue 12's growth target is `make daily` when history grows 10x, with a day's
    delivery of the same size. The smallest size's data set (--days + 1 days) against
    `rows` rows over (rows / smallest) times as many history days, ending on the same
    day: the daily volume stays about the same, only the history grows. None for the
    smallest size, or when the long set would start before the loader's earliest_at."""
    smallest = min(opts.sizes)
    if rows <= smallest:
        return None
    history_days = round(opts.days * rows / smallest)
    start = date.fromisoformat(DEFAULT_START) - timedelta(days=history_days - opts.days)
    if start < date.fromisoformat(EARLIEST_START):
        return None
    return (
        GrowthSet("small", smallest, opts.days + 1, DEFAULT_START),
        GrowthSet("long", rows, history_days + 1, start.isoformat()),
    )


# --- running -------------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    sizes: list[int]
    repeat: int = 3
    out: Path = ROOT / "bench" / "results.md"
    workdir: Path = Path("/tmp/behavior-bench")
    keep: bool = False
    days: int = DEFAULT_DAYS
    seed: int = 42
    threads: int = 2
    timeout: float = 3600.0
    project_dir: Path = ROOT
    skip: frozenset[str] = frozenset()
    daily_runs: int = 0


SKIPPABLE = ("build", "threads", "run", "plain", "incremental", "contenders", "growth")
