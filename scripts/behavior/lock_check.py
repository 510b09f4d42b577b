"""`behavior lock-check [--database FILE]`: one clear line when another process holds
the build file, before dbt opens it (instead of dbt's pages of tracebacks).

`make build`, `make daily` and `make run` call it first. It opens the file read-write
for an instant, as dbt will; a BI tool or notebook holding it open (even read-only)
makes that fail. A file that does not exist yet is fine (dbt creates it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import duckdb

from behavior import build_status
from behavior.errors import UserError


def check(database: Path) -> str | None:
    """None when `database` can be opened read-write (or does not exist), else why not."""
    if not database.exists():
        return None
    try:
        duckdb.connect(str(database)).close()
    except duckdb.Error as exc:
        if build_status.is_lock_error(exc):
            return build_status.locked_message(database, exc)
        raise UserError(f"cannot open {database} as a DuckDB warehouse: {exc}") from exc
    return None


def run(args: argparse.Namespace) -> int:
    database = Path(args.database) if args.database else build_status.default_build_database()
    problem = check(database)
    if problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument(
        "--database",
        help="build file (default: $BEHAVIOR_DUCKDB_PATH, else the file of $BEHAVIOR_TARGET)",
    )
    parser.set_defaults(func=run)
