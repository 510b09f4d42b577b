"""`behavior serve-check [--serving FILE] [--database BUILD_FILE]`: what a BI user needs
to know about the serving file.

Prints the serving file, when it was published and its age, the latest complete day
it holds, the build it came from, and the state of the build file since: exit 0 when
the serving file holds the last build or a newer build passed and awaits publishing;
exit 1 when the build file cannot be published (its last dbt command failed or never
finished, or one since its last complete build did, or changed it without testing:
build_status.BuildStatus.blocking_reason), so BI keeps showing an older day until a
build passes; exit 2 when there is no serving file.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import duckdb

from behavior import build_status, warehouse_file
from behavior.errors import UserError


def read_meta(serving: Path) -> dict[str, object]:
    if not serving.is_file():
        raise UserError(f"no serving file at {serving}: run `behavior publish` after a build")
    try:
        with duckdb.connect(str(serving), read_only=True) as con:
            cursor = con.execute("select * from main.meta")
            names = [column[0] for column in cursor.description]
            row = cursor.fetchone()
    except duckdb.Error as exc:
        raise UserError(f"{serving} is not a serving file (no readable meta table): {exc}") from exc
    if row is None:
        raise UserError(f"{serving} has an empty meta table")
    return dict(zip(names, row, strict=True))


def age(since: dt.datetime, now: dt.datetime) -> str:
    minutes = int((now - since).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min"
    return f"{hours // 24} days {hours % 24} h"


def build_state(meta: dict[str, object], build: Path) -> tuple[str, bool]:
    """(one line on the build file since the publish, whether it cannot be published)."""
    try:
        status = build_status.load_status(build)
    except UserError as exc:
        return f"unknown ({exc})", False
    latest = status.latest
    if latest is None:
        return f"unknown (no dbt command is recorded in {build})", False
    if status.last_failed:
        return (
            f"FAILED: {latest.failure()}; the serving file keeps the last good build",
            True,
        )
    if latest.invocation_id == meta["dbt_invocation_id"]:
        return f"passed ({latest.describe()}); the serving file holds it", False
    reason = status.blocking_reason()
    if reason:
        return f"not publishable: {reason}; the serving file keeps the last good build", True
    return f"a newer build passed ({latest.describe()}), not published yet", False


def run(args: argparse.Namespace) -> int:
    if args.database:  # named: it must be a build file (without it, the state is "unknown")
        warehouse_file.require_warehouse(Path(args.database))
    if args.serving:
        serving = Path(args.serving)
    else:
        base = Path(args.database) if args.database else build_status.default_build_database()
        serving = build_status.serving_path(base)
    meta = read_meta(serving)
    build = Path(args.database) if args.database else Path(str(meta["source_database"]))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    published = meta["published_at"]
    line, failed = build_state(meta, build)
    load = meta["raw_load_id"] or "none recorded (sample seeds)"
    print(f"serving file:        {serving} ({serving.stat().st_size / 2**20:,.1f} MB)")
    print(f"published:           {published:%Y-%m-%d %H:%M:%S} UTC ({age(published, now)} ago)")
    print(f"latest complete day: {meta['latest_complete_day']}")
    print(
        f"built from:          {meta['source_database']}, dbt {meta['dbt_command']} "
        f"{meta['dbt_invocation_id']} finished {meta['built_at']:%Y-%m-%d %H:%M:%S} UTC"
    )
    print(
        f"raw load:            {load}; version {meta['project_version']}, "
        f"commit {meta['git_commit'] or 'unknown'}"
    )
    print(f"last build:          {line}")
    return 1 if failed else 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument(
        "--serving", help="serving file (default: beside the build file, <build>.serving.duckdb)"
    )
    parser.add_argument(
        "--database",
        help="build file to check (default: the one named in the serving file's meta table)",
    )
    parser.set_defaults(func=run)
