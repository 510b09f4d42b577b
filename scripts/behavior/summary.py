"""`behavior summary`: one screen on what the warehouse holds and where it is."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import duckdb

from behavior import load_guard
from behavior.build_status import serving_path
from behavior.errors import UserError

SCHEMAS = ("raw", "staging", "intermediate", "marts", "reports", "utilities", "lookups")


def default_database() -> Path:
    return Path(os.environ.get("BEHAVIOR_DUCKDB_PATH", "warehouse/sample.duckdb"))


def summarize(database: Path) -> list[tuple[str, int, int]]:
    """(schema, relations, rows in its tables) for each schema present."""
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run `make run` first")
    load_guard.require_warehouse(database)
    con = duckdb.connect(str(database), read_only=True)
    try:
        rows = []
        for schema in SCHEMAS:
            relations = con.execute(
                "select table_name, table_type from information_schema.tables "
                "where table_schema = ? order by table_name",
                [schema],
            ).fetchall()
            if not relations:
                continue
            total = 0
            for name, kind in relations:
                if kind == "BASE TABLE":
                    total += con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            rows.append((schema, len(relations), total))
        return rows
    finally:
        con.close()


def run(args: argparse.Namespace) -> int:
    database = Path(args.database)
    rows = summarize(database)
    print()
    print(f"Warehouse: {database.resolve()} ({database.stat().st_size / 1e6:.1f} MB)")
    print(f"{'schema':<14}{'relations':>10}{'table rows':>14}")
    for schema, relations, total in rows:
        print(f"{schema:<14}{relations:>10}{total:>14,}")
    reports = sorted(Path("output").glob("**/mis_report_*.html"))
    if reports:
        print(f"Latest daily report: {reports[-1].resolve()}")
    serving = serving_path(database)
    print(
        f"BI tools: open {serving} read-only (schemas `marts`, `reports`; never the build "
        "file); `behavior serve-check` shows its age and build."
    )
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name, help="print what the warehouse holds")
    parser.add_argument("--database", default=str(default_database()))
    parser.set_defaults(func=run)
