"""`behavior spark-export [--database FILE] [--out DIR]`: the raw tables of a DuckDB
build as Parquet, for the Spark target (README "Running on Spark").

One folder per raw table of the contract (`<out>/<table>/data.parquet`), with the
stored columns in contract order. DuckDB TIMESTAMP (UTC wall time) is written as an
instant (Parquet isAdjustedToUTC), which Spark reads as its TIMESTAMP; the other
types map one to one (VARCHAR -> string, DECIMAL(12,2), DOUBLE, INTEGER, BOOLEAN).
`dbt run-operation spark_register_raw_tables --target spark` then registers each
folder as table raw.<table> in Spark's metastore (`make build-spark` runs both).
"""

from __future__ import annotations

import argparse
import os
import shutil
from pathlib import Path

from behavior import build_status, contract, warehouse_file
from behavior.errors import UserError

DEFAULT_OUT = Path("warehouse/spark/raw")


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def export(database: Path, out: Path) -> dict[str, int]:
    """Write every raw table of `database` under `out`; row counts by table."""
    import duckdb  # the CLI imports a command's dependencies only when it runs

    warehouse_file.require_warehouse(database)
    counts: dict[str, int] = {}
    with duckdb.connect(str(database), read_only=True) as con:
        con.execute("set timezone = 'UTC'")
        present = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        missing = sorted(set(contract.TABLES) - present)
        if missing:
            raise UserError(f"{database} has no raw table(s) {', '.join(missing)}")
        # Every table is written into a staging folder beside --out first, and the
        # table folders are swapped in only when all are written: a failure half-way
        # leaves the export that was there, never a mix of new and old tables.
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = out.parent / f".{out.name}.partial-{os.getpid()}"
        try:
            for name, table in contract.TABLES.items():
                columns = ", ".join(
                    f"cast({c.name} as timestamptz) as {c.name}"
                    if c.type.upper() == "TIMESTAMP"
                    else c.name
                    for c in table.stored_columns
                )
                (staging / name).mkdir(parents=True)
                target = staging / name / "data.parquet"
                con.execute(
                    f"copy (select {columns} from raw.{name}) to {_quote(str(target))} "
                    "(format parquet)"
                )
                counts[name] = con.execute(f"select count(*) from raw.{name}").fetchone()[0]
            out.mkdir(parents=True, exist_ok=True)
            for name in contract.TABLES:
                folder = out / name
                if folder.exists():
                    old = staging / f"{name}.old"
                    folder.rename(old)
                (staging / name).rename(folder)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return counts


def run(args: argparse.Namespace) -> int:
    database = Path(args.database) if args.database else build_status.default_build_database()
    counts = export(database, Path(args.out))
    for name, count in counts.items():
        print(f"raw.{name}: {count} rows -> {Path(args.out) / name}")
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument(
        "--database",
        help="DuckDB build file (default: $BEHAVIOR_DUCKDB_PATH, else the file of "
        "$BEHAVIOR_TARGET)",
    )
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.set_defaults(func=run)
