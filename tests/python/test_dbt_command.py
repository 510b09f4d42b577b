"""`behavior dbt`: dbt's command line unchanged, the full collections' survivors frozen,
the manifest written once.

Each case that runs dbt or the collector runs in a fresh interpreter: both changes are
process-wide.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from behavior import dbt_command

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


def test_a_graph_command_writes_the_manifest_once_at_its_end() -> None:
    written: list[tuple] = []
    command = "build"
    writes = dbt_command.ManifestWrites(lambda *args: written.append(args), lambda: command)
    writes.after_parse("parsed manifest", "target")
    assert written == []  # waits for the end of the run
    writes.at_end("run's manifest", "target")
    writes.flush()
    assert written == [("run's manifest", "target")]


def test_a_graph_command_stopped_before_its_end_writes_the_parsed_manifest() -> None:
    written: list[tuple] = []
    writes = dbt_command.ManifestWrites(lambda *args: written.append(args), lambda: "run")
    writes.after_parse("parsed manifest", "target")
    writes.flush()
    writes.flush()
    assert written == [("parsed manifest", "target")]


def test_other_commands_write_the_manifest_right_after_parsing() -> None:
    written: list[tuple] = []
    for command in ("parse", "list", "generate", None):
        writes = dbt_command.ManifestWrites(lambda *a: written.append(a), lambda c=command: c)
        writes.after_parse(command, "target")
        assert written[-1] == (command, "target")  # before anything else happens
        writes.flush()
    assert len(written) == 4


WRITE_PROBE = """
import atexit, sys
from dbt.contracts.graph import manifest
from behavior import dbt_command
writes = []
original = manifest.Manifest.write
def counted(self, path):
    writes.append(path)
    original(self, path)
manifest.Manifest.write = counted
atexit.register(lambda: print("manifest writes", len(writes)))
if sys.argv[1] == "plain":
    from dbt.cli.main import cli
    sys.argv = ["dbt", *sys.argv[2:]]
    cli()
else:
    sys.exit(dbt_command.run(sys.argv[2:]))
"""


def _writes(mode: str, argv: list[str], database: Path) -> tuple[int, str]:
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_PROJECT_DIR": str(ROOT),
        "BEHAVIOR_DUCKDB_PATH": str(database),
    }
    result = _run([sys.executable, "-c", WRITE_PROBE, mode, *argv, "-q"], env=env, cwd=ROOT)
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("manifest writes"), result.stdout + result.stderr
    return int(last.split()[-1]), result.stdout + result.stderr


def test_dbt_writes_the_manifest_twice_in_a_compile_and_behavior_dbt_once(
    tmp_path: Path,
) -> None:
    select = ["compile", "--select", "stg_app__courses"]
    database = tmp_path / "empty.duckdb"  # a staging view's compile reads no table
    plain, _ = _writes("plain", [*select, "--target-path", str(tmp_path / "plain")], database)
    ours, _ = _writes("ours", [*select, "--target-path", str(tmp_path / "ours")], database)
    assert (plain, ours) == (2, 1)
    manifest = json.loads((tmp_path / "ours" / "manifest.json").read_text())
    node = manifest["nodes"]["model.user_behavior.stg_app__courses"]
    assert "deduplicated" in node["compiled_code"]  # the end's manifest, compiled


def test_a_run_that_fails_before_its_end_still_leaves_the_manifest(tmp_path: Path) -> None:
    target = tmp_path / "target"
    argv = ["run", "--select", "stg_app__courses", "--target-path", str(target)]
    writes, output = _writes("ours", argv, tmp_path / "no such folder" / "x.duckdb")
    assert "Cannot open file" in output  # the run stopped before its end
    assert writes == 1
    assert json.loads((target / "manifest.json").read_text())["nodes"]
