"""The `behavior` command: one entry point, one subcommand per job.

Each subcommand lives in its own module that exposes `register(subparsers)`;
modules are imported lazily so `behavior --help` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import sys

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
    "insight": "behavior.insights.cli",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="behavior", description=__doc__)
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


if __name__ == "__main__":
    sys.exit(main())
