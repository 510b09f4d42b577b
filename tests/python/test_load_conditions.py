"""`behavior load` under hostile conditions (issue 11): the --database, the files
and folders around the data, a write that fails at COMMIT."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import uuid
from pathlib import Path

import duckdb
import pytest

from behavior import cli
from test_load import (
    SESSIONS_HEADER,
    fetch,
    snapshot,
    write_catalog_and_users,
    write_event_files,
)

IS_ROOT = os.geteuid() == 0


def _run(*args: str, limit_bytes: int | None = None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:  # Python ignores SIGXFSZ: an over-limit write fails with EFBIG
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, resource.RLIM_INFINITY))

    return subprocess.run(
        [sys.executable, "-m", "behavior.cli", "load", *args],
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=limit,
    )


def _one_error_line(process: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in process.stderr
    lines = process.stderr.strip().splitlines()
    assert len(lines) == 1, process.stderr
    return lines[0]


def test_a_database_that_is_not_duckdb_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "existing.csv"
    existing.write_text("a,b\n1,2\n")
    base = write_catalog_and_users(tmp_path / "base")

    process = _run(*map(str, base), "--database", str(existing))

    assert process.returncode == 2
    line = _one_error_line(process)
    assert line == (
        f"behavior load: error: --database {existing} is not a DuckDB warehouse "
        "(no DuckDB header); refusing to write into it"
    )
    assert existing.read_text() == "a,b\n1,2\n"  # left as it was


@pytest.mark.parametrize("where", ["under_a_file", "proc"])
def test_a_database_in_an_unwritable_place_is_one_line(tmp_path: Path, where: str) -> None:
    blocker = tmp_path / "plain.txt"
    blocker.write_text("x")
    # a folder that is a file; /proc takes no new files, even from root
    database = blocker / "w.duckdb" if where == "under_a_file" else Path("/proc/behavior.duckdb")
    base = write_catalog_and_users(tmp_path / "base")

    process = _run(*map(str, base), "--database", str(database))

    assert process.returncode == 2
    line = _one_error_line(process)
    assert line.startswith("behavior load: error: ")
    assert str(database) in line


@pytest.mark.parametrize("stem", ["raw", "marts", "staging", "reports"])
def test_a_warehouse_named_after_a_schema_loads(tmp_path: Path, stem: str) -> None:
    database = tmp_path / f"{stem}.duckdb"
    base = write_catalog_and_users(tmp_path / "base")
    assert cli.main(["load", *map(str, base), "--database", str(database)]) == 0
    assert cli.main(["load", *map(str, base), "--database", str(database)]) == 0  # reopened
    con = duckdb.connect()  # read under another alias: `raw` alone is ambiguous here
    con.execute(f"attach '{database}' as w (read_only)")
    assert con.execute("select count(*) from w.raw.users").fetchall() == [(2,)]
    con.close()


def test_a_looping_symlink_is_named_and_the_rest_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "drop"
    write_catalog_and_users(folder)
    loop = folder / "users_loop.csv"
    os.symlink(loop, loop)  # points at itself
    dangling = folder / "modules_gone.csv"
    os.symlink(tmp_path / "nowhere.csv", dangling)
    database = tmp_path / "w.duckdb"

    code = cli.main(["load", str(folder), "--database", str(database)])

    assert code == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"behavior load: skipped {loop}: symlink loops" in err.splitlines()
    assert f"behavior load: skipped {dangling}: broken symlink" in err.splitlines()
    assert fetch(database, "select count(*) from raw.users") == [(2,)]


def test_an_unlistable_subfolder_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "drop"
    write_catalog_and_users(folder)
    locked = folder / "locked"
    locked.mkdir()
    (locked / "user_purchases.csv").write_text("never read\n")
    if IS_ROOT:
        # root lists any folder: make listing this one fail as EACCES would
        real_scandir = os.scandir

        def scandir(path: object = ".") -> object:
            if Path(os.fsdecode(path)) == locked:  # type: ignore[arg-type]
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "scandir", scandir)
    else:
        locked.chmod(0)
    database = tmp_path / "w.duckdb"
    try:
        code = cli.main(["load", str(folder), "--database", str(database)])
    finally:
        locked.chmod(0o755)

    assert code == 1
    err = capsys.readouterr().err.splitlines()
    assert f"behavior load: skipped {locked}: cannot list folder: Permission denied" in err
    assert fetch(database, "select count(*) from raw.users") == [(2,)]


def _sessions_file(path: Path, rows: int) -> None:
    lines = [SESSIONS_HEADER]
    for i in range(rows):
        lines.append(
            f"s_{i:06d},u_1,android,{uuid.uuid4().hex * 2},2026-01-05 10:00:00,"
            "2026-01-05 10:10:00,600,[],[],2026-01-05 10:10:05"
        )
    path.write_text("\n".join(lines) + "\n")


def test_a_failed_commit_is_one_line_and_leaves_the_warehouse_as_it_was(tmp_path: Path) -> None:
    """A full disk, simulated with a file size limit (RLIMIT_FSIZE; a small tmpfs needs
    root to mount): the write of the commit fails with EFBIG."""
    database = tmp_path / "w.duckdb"
    base = write_catalog_and_users(tmp_path / "base")
    assert cli.main(["load", *map(str, base), "--database", str(database)]) == 0
    before = snapshot(database)
    sessions = tmp_path / "events" / "user_app_sessions.csv"
    sessions.parent.mkdir()
    _sessions_file(sessions, 20_000)
    # the warehouse may not grow more than 64 KiB; 20,000 random 64-character app
    # versions alone are 1.3 MB
    limit = database.stat().st_size + 64 * 1024

    process = _run(str(sessions), "--database", str(database), limit_bytes=limit)

    assert process.returncode != 0
    assert "Traceback" not in process.stderr
    assert "rollback" not in process.stderr.lower()
    errors = process.stderr.strip().splitlines()
    assert errors[0].startswith(f"behavior load: rejected {sessions}: cannot load: ")
    assert "File too large" in errors[0]
    assert snapshot(database) == before

    # with room again, the same file loads
    again = _run(str(sessions), "--database", str(database))
    assert again.returncode == 0, again.stderr
    assert fetch(database, "select count(*) from raw.user_app_sessions") == [(20_000,)]


def test_after_a_failed_commit_the_next_files_still_load(tmp_path: Path) -> None:
    """The README: a failed commit rejects that file, leaves the warehouse as it was
    before the file, and the next files are still tried. The sessions file cannot be
    committed under the size limit; the two small event files after it (quiz attempts,
    purchases: later in the load order) fit under it and load."""
    database = tmp_path / "w.duckdb"
    base = write_catalog_and_users(tmp_path / "base")
    assert cli.main(["load", *map(str, base), "--database", str(database)]) == 0
    events = write_event_files(tmp_path / "events")
    sessions = tmp_path / "big" / "user_app_sessions.csv"
    sessions.parent.mkdir()
    _sessions_file(sessions, 20_000)
    limit = database.stat().st_size + 64 * 1024

    process = _run(
        str(events["purchases"]),
        str(events["attempts"]),
        str(sessions),  # given last, loaded before both (the load order)
        "--database",
        str(database),
        limit_bytes=limit,
    )

    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    errors = process.stderr.strip().splitlines()
    assert errors[0].startswith(f"behavior load: rejected {sessions}: cannot load: ")
    assert "File too large" in errors[0]
    assert errors[1] == f"behavior load: 1 of 3 files rejected (see raw._load_files in {database})"
    assert fetch(database, "select count(*) from raw.user_app_sessions") == [(0,)]
    # the same rows as test_load's known answers: 3 attempts (a_1, a_5, a_9) and 2
    # purchase events load
    assert fetch(database, "select count(*) from raw.quiz_attempts") == [(3,)]
    assert fetch(database, "select count(*) from raw.user_purchases") == [(2,)]
    assert fetch(
        database,
        "select table_name, status, rows_loaded from raw._load_files "
        "where table_name not in ('courses', 'modules', 'quizzes', 'quiz_questions', 'users') "
        "order by started_at",
    ) == [
        ("user_app_sessions", "rejected", 0),
        ("quiz_attempts", "loaded", 3),
        ("user_purchases", "loaded", 2),
    ]
