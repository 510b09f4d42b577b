"""`behavior compact [--database FILE]`: rewrite a DuckDB warehouse file to its live data.

The file is the build file dbt writes ($BEHAVIOR_DUCKDB_PATH, else the file of
$BEHAVIOR_TARGET: warehouse/sample.duckdb or warehouse/behavior.duckdb), unless given.

A warehouse rebuilt every day grows: DuckDB reuses the blocks that dropped tables and
deleted rows leave behind, but never shrinks the file, and `create or replace table`
of every table model each day leaves a little more free space than it reuses (see
bench/results-daily.md). This command copies the database into a new file
(`COPY FROM DATABASE`), checks that every table has the same number of rows in both,
and only then replaces the old file with the new one (an atomic rename). If anything
fails on the way, the original file is left exactly as it was and the copy is removed.
Run it when no dbt run or load is writing to the file.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import duckdb

from behavior import build_status, warehouse_file
from behavior.errors import UserError


def _megabytes(path: Path) -> float:
    return path.stat().st_size / 2**20


def _row_counts(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, int]:
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = ? order by 1, 2",
        [catalog],
    ).fetchall()
    return {
        f"{schema}.{table}": con.execute(
            f'select count(*) from "{catalog}"."{schema}"."{table}"'
        ).fetchone()[0]
        for schema, table in tables
    }


def copy_database(source: Path, target: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Copy `source` into the new file `target`; the row counts of both, by table."""
    with duckdb.connect() as con:
        warehouse_file.limit_resources(con, spill_to=Path(f"{target}.tmp"))
        con.execute(f"attach '{source}' as source (read_only)")
        con.execute(f"attach '{target}' as target")
        con.execute("copy from database source to target")
        con.execute("checkpoint target")
        counts = _row_counts(con, "source"), _row_counts(con, "target")
        con.execute("detach target")
    return counts


def compact(database: Path) -> tuple[float, float]:
    """Rewrite `database` in place; return its size before and after, in MB."""
    if not database.is_file():
        raise UserError(f"no database file at {database}")
    warehouse_file.require_warehouse(database)
    before = _megabytes(database)
    copy = database.with_name(database.name + ".compacting")
    warehouse_file.memory_limit()  # a bad value stops before anything is written
    for stale in copy.parent.glob(copy.name + "*"):
        warehouse_file.remove_leftover(stale)
    try:
        # Fold the write-ahead log into the file first, so the copy sees everything.
        with duckdb.connect(str(database)) as con:
            con.execute("checkpoint")
        source_counts, target_counts = copy_database(database, copy)
        if source_counts != target_counts:
            differ = sorted(
                name
                for name in source_counts.keys() | target_counts.keys()
                if source_counts.get(name) != target_counts.get(name)
            )
            raise UserError(f"the copy differs from the original in {', '.join(differ)}")
        os.replace(copy, database)
    except duckdb.Error as exc:
        raise UserError(f"could not compact {database}: {exc}") from exc
    finally:
        for leftover in copy.parent.glob(copy.name + "*"):
            warehouse_file.remove_leftover(leftover)
    return before, _megabytes(database)


def run(args: argparse.Namespace) -> int:
    database = args.database or build_status.default_build_database()
    before, after = compact(database)
    print(f"{database}: {before:,.1f} MB -> {after:,.1f} MB")
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument(
        "--database",
        type=Path,
        help="DuckDB file (default: $BEHAVIOR_DUCKDB_PATH, else the file of $BEHAVIOR_TARGET, "
        "warehouse/sample.duckdb)",
    )
    parser.set_defaults(func=run)
