"""`behavior dbt`: dbt's command line unchanged, the full collections' survivors frozen.

Each case runs in a fresh interpreter: freezing is process-wide.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

FREEZE_PROBE = """
import gc
from behavior.dbt_command import freeze_survivors
gc.disable()  # only the collections below run (the callbacks fire on gc.collect too)
gc.callbacks.append(freeze_survivors)
kept = [[i] for i in range(5000)]
gc.collect(0)
gc.collect(1)
after_young = gc.get_freeze_count()
gc.collect()
print(after_young, gc.get_freeze_count())
"""


def _run(argv: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, **kwargs)


def test_a_full_collection_freezes_its_survivors_and_a_young_one_does_not() -> None:
    result = _run([sys.executable, "-c", FREEZE_PROBE])
    assert result.returncode == 0, result.stderr
    after_young, after_full = map(int, result.stdout.split())
    assert after_young == 0
    assert after_full >= 5000  # the kept lists, at least, are now frozen


def test_dbt_arguments_output_and_exit_status_pass_through() -> None:
    ours = _run([str(BIN / "behavior"), "dbt", "--version"])
    assert ours.returncode == 0, ours.stderr
    assert "installed: 1.11" in ours.stdout

    # An unknown dbt command: dbt's own error and status (2), not behavior's parser's.
    ours = _run([str(BIN / "behavior"), "dbt", "no-such-command"])
    theirs = _run([str(BIN / "dbt"), "no-such-command"])
    assert ours.returncode == theirs.returncode == 2
    assert "No such command 'no-such-command'" in ours.stderr
    assert ours.stderr.replace("behavior", "dbt") == theirs.stderr.replace("behavior", "dbt")


def test_a_dbt_invocation_freezes_the_manifest(tmp_path: Path) -> None:
    """The hook fires inside a real dbt run: a parse of this project ends with most
    of its objects frozen (a plain `dbt parse` freezes none)."""
    probe = (
        "import atexit, gc, sys\n"
        "from behavior import dbt_command\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count()))\n"
        "sys.exit(dbt_command.run(sys.argv[1:]))\n"
    )
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_PROJECT_DIR": str(ROOT),
        "BEHAVIOR_DUCKDB_PATH": str(tmp_path / "unused.duckdb"),
    }
    argv = ["parse", "--no-partial-parse", "--target-path", str(tmp_path / "target"), "-q"]
    result = _run([sys.executable, "-c", probe, *argv], env=env, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    frozen = int(result.stdout.strip().splitlines()[-1].split()[1])
    assert frozen > 100_000
