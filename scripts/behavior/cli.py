"""The `behavior` command: one entry point, one subcommand per job.

Each subcommand lives in its own module (or package) that exposes
`register(subparsers, name)`. Only the module of the command being run is
imported: `behavior --help` lists every command from the table below without
importing any of them, so it never loads DuckDB, NumPy, PyArrow or pandas, and
`behavior <command>` loads only what that command needs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any, NoReturn

from behavior.errors import UserError

# name -> (module exposing register(subparsers, name), one line for `behavior --help`)
SUBCOMMANDS = {
    "contract": ("behavior.contract_files", "write the dbt yml that restates the raw contract"),
    "generate": (
        "behavior.generate",
        "write synthetic raw data (one file per raw table) and a manifest",
    ),
    "load": ("behavior.load", "load CSV, Parquet or JSON Lines files into the raw schema"),
    "report": ("behavior.report", "write the daily MIS report (HTML, PDF, Excel)"),
    "check-structure": ("behavior.structure", "check house rules over target/manifest.json"),
    "summary": ("behavior.summary", "one screen on the latest complete day (headline KPIs)"),
    "reprocess": ("behavior.reprocess", "reprocess an event-date range incrementally"),
    "bench": ("behavior.bench.command", "benchmark generator, loader and dbt at several sizes"),
    "compact": (
        "behavior.compact",
        "rewrite a DuckDB warehouse file to its live data (reclaim free space)",
    ),
    "publish": (
        "behavior.publish",
        "copy the last passed build into the serving file BI tools read",
    ),
    "serve-check": (
        "behavior.serve_check",
        "show the serving file's age, latest day and build, and whether a later build failed",
    ),
    "lock-check": (
        "behavior.lock_check",
        "fail with one line when another process holds the build file",
    ),
    "metrics": (
        "behavior.metrics",
        "query the semantic layer (saved query or metrics), write CSV / Parquet",
    ),
    "insight": (
        "behavior.insights.cli",
        "answer a funnel, retention, lifecycle, trends or stickiness question",
    ),
    "dashboard": (
        "behavior.dashboard.cli",
        "run the interactive dashboard (Streamlit) on the serving file",
    ),
    "spark-export": (
        "behavior.spark_export",
        "write a DuckDB build's raw tables as Parquet for the Spark target",
    ),
    "dbt": (
        "behavior.dbt_command",
        "run dbt with these arguments (as `dbt`), its collector tuned, its manifest written once",
    ),
}
# Commands whose arguments go to their module's run(argv) untouched (`behavior dbt
# --help` is dbt's help): no parser of ours reads them.
PASSTHROUGH = {"dbt"}


class _Parser(argparse.ArgumentParser):
    """A bad argument is one line (`behavior <command>: error: ...`) and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


class _Subcommands:
    """What a module's register() is handed: add_parser() with the table's help line
    and, unless the module says otherwise, the module's docstring as the command's
    description, kept as written."""

    def __init__(self, subparsers: argparse._SubParsersAction, module: ModuleType) -> None:
        self._subparsers = subparsers
        self._module = module

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("description", self._module.__doc__)
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        return self._subparsers.add_parser(name, help=SUBCOMMANDS[name][1], **kwargs)


def command_in(argv: Sequence[str]) -> str | None:
    """The subcommand named in argv: its first argument that is not an option."""
    return next((arg for arg in argv if not arg.startswith("-")), None)


def build_parser(command: str | None = None, *, every: bool = True) -> argparse.ArgumentParser:
    """The parser with `command`'s module imported and registered (every command's
    when `every` and no command is given); any other command is a placeholder that
    only lists it, so its module is not imported."""
    parser = _Parser(
        prog="behavior",
        description="Analytics toolkit of the learning app's dbt project: one subcommand "
        "per job; `behavior <command> --help` shows its options.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (module_name, help_line) in SUBCOMMANDS.items():
        if name != command and (command is not None or not every):
            subparsers.add_parser(name, help=help_line)
            continue
        module = importlib.import_module(module_name)
        module.register(_Subcommands(subparsers, module), name)
    return parser


def _subcommand_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return action.choices[name]


def _is_duckdb_error(exc: BaseException) -> bool:
    """A DuckDB error (a locked, truncated or foreign file, a bad --where): the module
    is not imported here, so the class is recognised by its module."""
    return type(exc).__module__.split(".")[0] in ("duckdb", "_duckdb")


def _empty_value(argv: Sequence[str]) -> str | None:
    """The option (or argument) given an empty or blank value, if any."""
    for position, arg in enumerate(argv):
        if arg.startswith("--") and "=" in arg and not arg.split("=", 1)[1].strip():
            return f"the value of {arg.split('=', 1)[0]}"
        if not arg.strip():
            before = argv[position - 1] if position else ""
            return f"the value of {before}" if before.startswith("-") else "an argument"
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in PASSTHROUGH:
        return int(importlib.import_module(SUBCOMMANDS[argv[0]][0]).run(argv[1:]))
    parser = build_parser(command_in(argv), every=False)
    args, unknown = parser.parse_known_args(argv)
    if unknown:  # named by the command's own parser: `behavior <command>: error: ...`
        _subcommand_parser(parser, args.command).error(
            f"unrecognized arguments: {' '.join(unknown)}"
        )
    empty = _empty_value(argv)
    if empty is not None:  # "" would quietly mean the default (--out "" is the cwd)
        _subcommand_parser(parser, args.command).error(f"{empty} is empty")
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"behavior {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable or missing path the command had to use
        where = f": {exc.filename}" if exc.filename else ""
        print(f"behavior {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2
    except OverflowError as exc:  # a date or number beyond what Python can represent
        print(f"behavior {args.command}: error: out of range: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        if not _is_duckdb_error(exc):
            raise
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"behavior {args.command}: error: {first}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
