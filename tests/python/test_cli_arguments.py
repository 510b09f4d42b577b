"""Every command answers a bad argument with one line on stderr and exit 2 (issue 11).

Run in-process through `behavior.cli.main`: argparse errors end in SystemExit(2),
UserError / OSError in a return code of 2; either way stderr must be exactly one
line naming the command, and no traceback.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from behavior import cli


def _outcome(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    try:
        code = cli.main(argv)
    except SystemExit as exc:
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err.strip().splitlines()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    plain = tmp_path / "existing.csv"
    plain.write_text("a,b\n1,2\n")
    not_manifest = tmp_path / "manifest.json"
    not_manifest.write_text('{"metadata": {}}')
    nameless = tmp_path / "nameless.json"
    nameless.write_text('{"nodes": {"model.x.y": {"resource_type": "model"}}}')
    empty_warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty_warehouse)).close()
    # a DuckDB header, then nothing: a copy cut short
    truncated = tmp_path / "truncated.duckdb"
    truncated.write_bytes(empty_warehouse.read_bytes()[:5000])
    return {
        "file": str(plain),
        "under_file": str(plain / "out"),
        "proc": "/proc/behavior-out",
        "db": str(empty_warehouse),
        "truncated": str(truncated),
        "json": str(not_manifest),
        "nameless": str(nameless),
    }


CASES = [
    # (argv with {placeholders}, expected text in the one line)
    (["reprocess", "--from", "2026-13-45", "--to", "2026-01-01"], "expected a day YYYY-MM-DD"),
    (["reprocess", "--from", "x'; drop table raw.users; --", "--to", "2026-01-01"], "--from"),
    (["reprocess", "--from", "2026-01-01", "--to", "tomorrow"], "--to"),
    (["reprocess", "--from", "2026-01-02", "--to", "2026-01-01"], "is before --from"),
    (["reprocess", "--from", "2026-01-01", "--to", "2026-01-02", "--timeout", "0"], "--timeout"),
    (["report", "--database", "{db}", "--out", "{file}"], "is a file, not a folder"),
    (["report", "--database", "{db}", "--out", "{under_file}"], "cannot create --out"),
    (["report", "--database", "{db}", "--out", "{proc}"], "cannot create --out"),
    (["report", "--date", "2026-02-30"], "--date"),
    (["report", "--stale-after-days", "-1"], "--stale-after-days"),
    (["report", "--database", "{file}"], "is not a DuckDB warehouse"),
    (["load", "{file}", "--database", "{file}"], "is not a DuckDB warehouse"),
    (["load", "{file}", "--database", "{under_file}"], "--database"),
    (["load", "/no/such/file.csv"], "no such file or folder"),
    (["generate", "--target-rows", "-5", "--out", "{proc}"], "--target-rows"),
    (["generate", "--target-rows", "0", "--out", "{proc}"], "--target-rows"),
    (["generate", "--users", "-1", "--out", "{proc}"], "--users"),
    (["generate", "--users", "0", "--out", "{proc}"], "--users"),
    (["generate", "--days", "0", "--users", "5", "--out", "{proc}"], "--days"),
    (["generate", "--seed", "-3", "--users", "5", "--out", "{proc}"], "--seed"),
    (["generate", "--start", "2026-02-30", "--users", "5", "--out", "{proc}"], "--start"),
    (["generate", "--late-rate", "nan", "--users", "5", "--out", "{proc}"], "--late-rate"),
    (["generate", "--late-rate", "0.9", "--users", "5", "--out", "{proc}"], "--late-rate"),
    (["generate", "--users", "5", "--out", "{under_file}", "--quiet"], "existing.csv"),
    (["summary", "--database", "{file}"], "is not a DuckDB warehouse"),
    (["summary", "--database", "/no/such.duckdb"], "no warehouse"),
    (["compact", "--database", "{file}"], "is not a DuckDB warehouse"),
    (["check-structure", "/no/such/manifest.json"], "not found"),
    (["check-structure", "{file}"], "is not JSON"),
    (["check-structure", "{json}"], "is not a dbt manifest"),
    (["check-structure", "{nameless}"], "node model.x.y has no name or resource_type"),
    (["bench", "--out", "{proc}/results.md"], "cannot create --out folder"),
    (["bench", "--repeat", "0"], "--repeat"),
    (["bench", "--sizes", "-5"], "--sizes"),
    (["bench", "--timeout", "inf"], "--timeout"),
    (["bench", "--threads", "-1"], "--threads"),
    (["bench", "--daily-runs", "-1"], "--daily-runs"),
    (["summary", "--database", "{truncated}"], "IO Error"),
    (["serve-check", "--serving", "{db}", "--database", "{file}"], "is not a DuckDB warehouse"),
    (["spark-export", "--database", "{file}", "--out", "{proc}"], "is not a DuckDB warehouse"),
    (["bench", "--sizes", "inf"], "out of range"),
    # an unknown option is named by the command's own parser
    (["dashboard", "--port", "99999"], "expected a port from 1 to 65535"),
    # an empty value would quietly mean the default (an --out of "" is the cwd)
    (["report", "--out", ""], "behavior report: error: the value of --out is empty"),
    (["summary", "--database="], "behavior summary: error: the value of --database is empty"),
    (["load", " "], "behavior load: error: an argument is empty"),
    (["contract", "--bogus"], "behavior contract: error: unrecognized arguments: --bogus"),
    (["summary", "--days", "3"], "behavior summary: error: unrecognized arguments: --days 3"),
    (["no-such-command"], "invalid choice"),
]


@pytest.mark.parametrize(("argv", "expected"), CASES, ids=[" ".join(c[0]) for c in CASES])
def test_a_bad_argument_is_one_line_and_exit_2(
    argv: list[str], expected: str, files: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = _outcome([a.format(**files) for a in argv], capsys)
    assert code == 2
    assert len(lines) == 1, lines
    assert lines[0].startswith("behavior"), lines[0]
    assert ": error: " in lines[0]
    assert expected in lines[0]


def test_nothing_is_written_for_a_rejected_generate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "gen"
    code, _ = _outcome(["generate", "--target-rows", "-5", "--out", str(out)], capsys)
    assert code == 2
    assert not out.exists()


@pytest.mark.parametrize(
    ("variable", "value", "argv", "expected"),
    [
        ("BEHAVIOR_LOAD_MAX_LINE_BYTES", "abc", ["load", "--demo-secret", "{file}"], "abc"),
        ("BEHAVIOR_LOAD_MAX_LINE_BYTES", "0", ["load", "--demo-secret", "{file}"], "at least 1"),
        ("BEHAVIOR_DASHBOARD_PORT", "abc", ["dashboard"], "--port"),
    ],
)
def test_a_bad_environment_value_is_one_line_and_exit_2(
    variable: str,
    value: str,
    argv: list[str],
    expected: str,
    files: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A documented variable set to nonsense stops the command before it does anything
    (it was ignored: the default applied without a word), and nothing is created."""
    monkeypatch.setenv(variable, value)
    database = tmp_path / "new.duckdb"
    argv = [a.format(**files) for a in argv]
    if argv[0] == "load":
        argv += ["--database", str(database)]
    code, lines = _outcome(argv, capsys)
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith(f"behavior {argv[0]}: error: "), lines
    assert expected in lines[0]
    assert not database.exists()
