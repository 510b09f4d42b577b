"""`behavior reprocess --from DAY --to DAY`: rebuild a chosen event-date range.

Incremental runs reprocess what was received since the last run (minus the
lookback). Rows loaded later than that, out of received order, are counted in
rpt_pipeline_late_events; this command makes the next incremental build also
reprocess every entity with an event dated in [from, to], then runs it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
from pathlib import Path

from behavior.arguments import iso_date, positive_int
from behavior.dbt_command import command as behavior_dbt
from behavior.errors import UserError

ROOT = Path(__file__).resolve().parents[2]


def dbt_command(start: dt.date, end: dt.date, selector: str | None) -> list[str]:
    dbt_vars = {
        "behavior__reprocess_from": start.isoformat(),
        "behavior__reprocess_to": end.isoformat(),
    }
    # As the Makefile's DBT runs dbt: `behavior dbt`.
    command = behavior_dbt("build", "--vars", json.dumps(dbt_vars))
    if selector:
        # Only the tests whose parents are all selected (others may read
        # relations the selection does not build).
        command += ["--select", selector, "--indirect-selection", "cautious"]
    return command


def run(args: argparse.Namespace) -> int:
    start, end = args.start, args.end
    if end < start:
        raise UserError(f"--to {end} is before --from {start}")
    env = dict(os.environ)
    env.setdefault("DBT_PROFILES_DIR", str(ROOT))
    command = dbt_command(start, end, args.select)
    print("running:", " ".join(command), flush=True)
    try:
        return subprocess.run(command, cwd=ROOT, env=env, timeout=args.timeout).returncode
    except subprocess.TimeoutExpired as exc:
        raise UserError(f"dbt did not finish within {args.timeout} s") from exc


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument(
        "--from", dest="start", required=True, type=iso_date, help="first event day, YYYY-MM-DD"
    )
    parser.add_argument(
        "--to", dest="end", required=True, type=iso_date, help="last event day, YYYY-MM-DD"
    )
    parser.add_argument("--select", help="dbt selector (default: the whole project)")
    parser.add_argument(
        "--timeout", type=positive_int, default=3600, help="seconds before dbt is stopped"
    )
    parser.set_defaults(func=run)
