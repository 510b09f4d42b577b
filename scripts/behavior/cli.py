"""The `behavior` command: one entry point, one subcommand per job.

Each subcommand lives in its own module that exposes `register(subparsers)`;
modules are imported lazily so `behavior --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NoReturn

from behavior.errors import UserError

SUBCOMMANDS = {
    "contract": "behavior.contract_files",
    "generate": "behavior.generate",
    "load": "behavior.load",
    "report": "behavior.report",
    "check-structure": "behavior.structure",
    "summary": "behavior.summary",
    "reprocess": "behavior.reprocess",
    "bench": "behavior.bench",
    "compact": "behavior.compact",
    "publish": "behavior.publish",
    "serve-check": "behavior.serve_check",
    "lock-check": "behavior.lock_check",
    "metrics": "behavior.metrics",
    "insight": "behavior.insights.cli",
    "dashboard": "behavior.dashboard.cli",
    "spark-export": "behavior.spark_export",
}


class _Parser(argparse.ArgumentParser):
    """A bad argument is one line (`behavior <command>: error: ...`) and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="behavior", description=__doc__)
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, module_name in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:  # a subcommand not built yet
            if exc.name != module_name:
                raise
            continue
        module.register(subparsers, name)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except UserError as exc:
        print(f"behavior {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable or missing path the command had to use
        where = f": {exc.filename}" if exc.filename else ""
        print(f"behavior {args.command}: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
