"""The CLI imports a command's dependencies only when that command runs.

Each case runs in a fresh interpreter (this process has imported DuckDB long ago)
and lists the heavy packages and behavior modules the command line imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("duckdb", "numpy", "pyarrow", "pandas", "jinja2", "plotly", "streamlit")

PROBE = """
import json, sys
from behavior import cli
try:
    cli.main(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted(m for m in sys.modules if m.startswith(("behavior.", *{heavy})))))
"""


def _imported(*argv: str) -> set[str]:
    code = PROBE.format(heavy=HEAVY)
    result = subprocess.run(
        [sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def _packages(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules if not m.startswith("behavior.")}


def test_top_level_help_imports_no_command() -> None:
    modules = _imported("--help")
    assert modules == {"behavior.cli", "behavior.errors"}


def test_unknown_command_imports_no_command() -> None:
    assert _imported("no-such-command") == {"behavior.cli", "behavior.errors"}


@pytest.mark.parametrize(
    ("argv", "module", "heavy"),
    [
        (("reprocess", "--help"), "behavior.reprocess", set()),
        (("publish", "--help"), "behavior.publish", {"duckdb"}),
        (("generate", "--help"), "behavior.generate", {"numpy", "pyarrow", "duckdb"}),
    ],
)
def test_a_command_imports_its_own_dependencies_only(
    argv: tuple[str, ...], module: str, heavy: set[str]
) -> None:
    modules = _imported(*argv)
    assert module in modules
    assert _packages(modules) <= heavy
    # no other command's module: the bench, the report, the loader stay unimported
    others = {"behavior.bench.command", "behavior.report", "behavior.load", "behavior.metrics"}
    assert not modules & (others - {module})
