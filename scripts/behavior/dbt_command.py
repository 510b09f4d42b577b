"""`behavior dbt ARGS`: dbt's own command line, with Python's garbage collector tuned.

Runs `dbt ARGS` in this process, exactly as the `dbt` command would (same arguments,
output and exit status), after one change to Python's cyclic garbage collector: each
full collection's survivors are frozen (`gc.freeze()`), so later full collections
skip them instead of walking them again.

Why: dbt-core keeps its manifest alive for the whole invocation (about 200,000 of
the objects the collector tracks, for this project), and each full collection (nine
in a build of the sample) walked every one of them: about 1.0 s of that build's 1.5
s of collecting, all of it holding the interpreter lock that every dbt thread needs
(bench/profile-2026-12-07g.md). Memory is freed as before: reference counting frees
every object that is not in a reference cycle; only a cycle among frozen objects
that becomes garbage later is never collected (the sample build's peak RSS did not
change).

`make` runs every DuckDB dbt command through this (the Makefile's DBT), and so do
the bench's dbt steps and `behavior reprocess`; a plain `dbt` works the same,
without the tuning. The Spark target keeps the plain `dbt` (SPARK_DBT): its session
runs a JVM inside dbt's process whose objects py4j frees when Python collects their
proxies, and a frozen proxy would never be collected.
"""

from __future__ import annotations

import gc
import sys
from typing import Any

OLDEST_GENERATION = 2  # a full collection (CPython 3.11-3.13 have generations 0-2)


def command(*dbt_args: str) -> list[str]:
    """The command line of `behavior dbt DBT_ARGS` with this interpreter, as a
    subprocess runs it (the bench, `behavior reprocess`, the tests)."""
    return [sys.executable, "-m", "behavior.cli", "dbt", *dbt_args]


def freeze_survivors(phase: str, info: dict[str, Any]) -> None:
    """gc.callbacks hook: after a full collection, freeze what survived it."""
    if phase == "stop" and info["generation"] == OLDEST_GENERATION:
        gc.freeze()


def run(dbt_args: list[str]) -> int:
    """dbt's command line on dbt_args; its exit status."""
    gc.callbacks.append(freeze_survivors)
    from dbt.cli.main import cli  # imported only when the command runs

    sys.argv = ["dbt", *dbt_args]
    try:
        status = cli()  # as the `dbt` script's sys.exit(cli()): click exits itself
    except SystemExit as exit_:
        status = exit_.code
    if status is None or isinstance(status, int):
        return status or 0
    print(status, file=sys.stderr)
    return 1


def register(subparsers: Any, name: str) -> None:
    # Listed for `behavior --help`; behavior.cli hands the arguments over unparsed.
    subparsers.add_parser(name, add_help=False)
