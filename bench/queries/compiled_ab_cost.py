"""Interleaved A/B timing of models' compiled SQL: each model's statement from two
compiled trees (A, B: the same models compiled from two commits), run alternately
on one connection as `create temp table`, medians per model and side.

usage: python compiled_ab_cost.py REPEATS DATABASE DIR_A DIR_B MODEL [MODEL ...]
  DATABASE      a warehouse file whose raw tables the models read (read only)
  DIR_A, DIR_B  folders holding <MODEL>.sql from `dbt compile --full-refresh
                --select <MODEL ...> --target-path ...` (target sample: the SQL
                names the catalog "sample", replaced here by DATABASE's)
"""

import statistics
import sys
import time
from pathlib import Path

import duckdb


def main(repeats: int, database: Path, dir_a: Path, dir_b: Path, models: list[str]) -> None:
    catalog = database.stem
    sides = {
        (model, side): (folder / f"{model}.sql").read_text().replace('"sample".', f'"{catalog}".')
        for model in models
        for side, folder in (("A", dir_a), ("B", dir_b))
    }
    con = duckdb.connect(str(database), read_only=True)
    con.execute("set threads = 2")
    times: dict[tuple[str, str], list[float]] = {key: [] for key in sides}
    for round_number in range(repeats):
        # alternate which side runs first in each round
        order = ("A", "B") if round_number % 2 == 0 else ("B", "A")
        for model in models:
            for side in order:
                start = time.perf_counter()
                con.execute(f"create or replace temp table timed as {sides[model, side]}")
                times[model, side].append(time.perf_counter() - start)
                con.execute("drop table timed")
    total = {"A": 0.0, "B": 0.0}
    for model in models:
        a, b = (statistics.median(times[model, side]) for side in "AB")
        total["A"] += a
        total["B"] += b
        runs = " / ".join(", ".join(f"{t:.2f}" for t in times[model, side]) for side in "AB")
        print(f"{model}: A {a:.2f} s, B {b:.2f} s, B / A {b / a:.2f}  (runs {runs})")
    print(
        f"sum of medians: A {total['A']:.2f} s, B {total['B']:.2f} s, "
        f"B / A {total['B'] / total['A']:.3f}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5:])
