"""Interleaved timing for bench/profile-2026-12-06.md: each event staging model's
full-build SQL as built (A) against the same with a content tie-break in its
deduplication window (B).

usage: python tie_break_cost.py REPEATS DATABASE COMPILED_DIR
  DATABASE      a built warehouse file (the 10M bench build)
  COMPILED_DIR  the models' SQL from `dbt compile --full-refresh --select
                stg_app__user_course_interactions stg_app__user_app_sessions`
                (target/compiled/user_behavior/models/staging/app)
"""

import statistics
import sys
import time
from pathlib import Path

import duckdb

TIE_BREAKS = {
    "stg_app__user_course_interactions": (
        "order by received_at, occurred_at",
        ", event_type, user_id, course_id, module_id, progress_percent, platform",
    ),
    "stg_app__user_app_sessions": (
        "order by received_at, opened_at",
        ", user_id, platform, app_version, closed_at, active_seconds, features_used, "
        "navigation_history",
    ),
}


def main(repeats: int, database: Path, compiled: Path) -> None:
    catalog = database.stem
    variants = {}
    for model, (order_by, tie_break) in TIE_BREAKS.items():
        sql = (compiled / f"{model}.sql").read_text().replace('"sample".', f'"{catalog}".')
        assert order_by in sql, f"{model}: the window's order is not {order_by!r}"
        variants[f"{model} A"] = sql
        variants[f"{model} B"] = sql.replace(order_by, order_by + tie_break)
    con = duckdb.connect(str(database), read_only=True)
    con.execute("set threads = 2")
    times: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(repeats):
        for name, sql in variants.items():
            start = time.perf_counter()
            con.execute(f"create or replace temp table timed as {sql}")
            times[name].append(time.perf_counter() - start)
            con.execute("drop table timed")
    for model in TIE_BREAKS:
        a = statistics.median(times[f"{model} A"])
        b = statistics.median(times[f"{model} B"])
        print(f"{model}: A {a:.2f} s, B {b:.2f} s, B / A {b / a:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
