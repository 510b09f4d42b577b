"""Progress and quiet output of the long commands: `behavior load` prints one progress
line per file on stderr with --progress (or at a terminal), none with --quiet, which
also drops the per-file lines from stdout and keeps the summary table."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from behavior import cli
from behavior.progress import Progress


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("progress") / "raw"
    args = ["generate", "--users", "30", "--days", "3", "--out", str(out), "--format", "csv"]
    assert cli.main([*args, "--quiet"]) == 0
    return out


def test_progress_lines_and_quiet() -> None:
    stream = io.StringIO()
    progress = Progress(prefix="behavior x", stream=stream)
    progress.step("reading")
    progress.done("2 files")
    lines = stream.getvalue().splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == ["reading", "done: 2 files"]
    assert all(line.startswith("behavior x: [") for line in lines)
    quiet = io.StringIO()
    Progress(quiet=True, stream=quiet).step("reading")
    assert quiet.getvalue() == ""


def test_load_progress_per_file(raw: Path, tmp_path: Path, capsys) -> None:
    files = sorted(p for p in raw.iterdir() if p.suffix == ".csv")
    database = tmp_path / "w.duckdb"
    assert cli.main(["load", str(raw), "--database", str(database), "--demo-secret",
                     "--progress"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    steps = [line for line in captured.err.splitlines() if "] loading " in line]
    assert len(steps) == len(files)
    assert steps[-1].endswith(f"({len(files)}/{len(files)})")
    assert sum(line.startswith("loaded ") for line in captured.out.splitlines()) == len(files)


def test_load_quiet_keeps_only_the_summary(raw: Path, tmp_path: Path, capsys) -> None:
    database = tmp_path / "w.duckdb"
    assert cli.main(["load", str(raw), "--database", str(database), "--demo-secret",
                     "--progress", "--quiet"]) == 0  # fmt: skip
    captured = capsys.readouterr()
    assert captured.err == ""
    assert not any(line.startswith("loaded ") for line in captured.out.splitlines())
    assert captured.out.splitlines()[0].startswith("table")
