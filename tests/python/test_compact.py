"""`behavior compact`: the file shrinks to its live data, nothing is lost, and a
failure leaves the original exactly as it was."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from behavior import compact
from behavior.cli import main
from behavior.errors import UserError


def _bloated(path: Path) -> None:
    """A warehouse-like file with free space: a big table dropped, a view left."""
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        "create table marts.big as select range as n, md5(range::varchar) as s from range(300000)"
    )
    con.execute("checkpoint")
    con.execute(
        "create table marts.kept as select range as n, md5(range::varchar) as s from range(1000)"
    )
    con.execute("create view marts.kept_even as select * from marts.kept where n % 2 = 0")
    con.execute("drop table marts.big")
    con.execute("checkpoint")
    con.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_compact_shrinks_the_file_and_keeps_every_row(tmp_path: Path, capsys):
    database = tmp_path / "bloated.duckdb"
    _bloated(database)
    size_before = database.stat().st_size
    assert main(["compact", "--database", str(database)]) == 0
    assert database.stat().st_size < size_before / 2
    assert "MB ->" in capsys.readouterr().out
    con = duckdb.connect(str(database), read_only=True)
    assert con.execute("select count(*), sum(n) from marts.kept").fetchone() == (1000, 499500)
    # 0 + 2 + ... + 998: 500 rows summing to 2 * (0 + ... + 499).
    assert con.execute("select count(*), sum(n) from marts.kept_even").fetchone() == (500, 249500)
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bloated.duckdb"]


def test_a_failed_copy_leaves_the_original_untouched(tmp_path: Path, monkeypatch):
    database = tmp_path / "bloated.duckdb"
    _bloated(database)
    digest = _digest(database)

    def differing(con, catalog):
        return {"marts.kept": 1000 if catalog == "source" else 999}

    monkeypatch.setattr(compact, "_row_counts", differing)
    with pytest.raises(UserError, match="differs from the original in marts.kept"):
        compact.compact(database)
    assert _digest(database) == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bloated.duckdb"]


def test_a_missing_database_is_a_clear_error(tmp_path: Path, capsys):
    assert main(["compact", "--database", str(tmp_path / "nope.duckdb")]) == 2
    assert "no database file at" in capsys.readouterr().err


def test_the_default_file_is_the_targets_build_file(tmp_path: Path, monkeypatch, capsys):
    # Without --database, compact rewrites the file dbt builds: $BEHAVIOR_DUCKDB_PATH,
    # else the file of $BEHAVIOR_TARGET (the warehouse target's, behavior.duckdb).
    monkeypatch.chdir(tmp_path)
    (tmp_path / "warehouse").mkdir()
    built = tmp_path / "warehouse" / "behavior.duckdb"
    _bloated(built)
    monkeypatch.delenv("BEHAVIOR_DUCKDB_PATH", raising=False)
    monkeypatch.setenv("BEHAVIOR_TARGET", "warehouse")
    size_before = built.stat().st_size
    assert main(["compact"]) == 0
    assert built.stat().st_size < size_before / 2
    assert capsys.readouterr().out.startswith("warehouse/behavior.duckdb: ")
    other = tmp_path / "other.duckdb"
    _bloated(other)
    monkeypatch.setenv("BEHAVIOR_DUCKDB_PATH", str(other))
    assert main(["compact"]) == 0
    assert capsys.readouterr().out.startswith(f"{other}: ")


def test_compact_runs_under_the_profile_memory_limit(tmp_path: Path, monkeypatch):
    """The copy runs under BEHAVIOR_DUCKDB_MEMORY_LIMIT and 2 threads, spilling beside
    the copy; a spill folder that a killed compaction left is removed first (it stopped
    the next compaction: a folder is no file to unlink)."""
    database = tmp_path / "bloated.duckdb"
    _bloated(database)
    stale = tmp_path / "bloated.duckdb.compacting.tmp"
    stale.mkdir()
    (stale / "duckdb_temp_storage-0.tmp").write_bytes(b"x" * 100)
    expected = duckdb.connect()
    expected.execute("set memory_limit = '200MB'")
    (limit,) = expected.execute("select current_setting('memory_limit')").fetchone()
    expected.close()
    seen = []
    real_counts = compact._row_counts

    def recording_counts(con, catalog):
        seen.append(
            con.execute(
                "select current_setting('memory_limit'), current_setting('threads'), "
                "current_setting('temp_directory')"
            ).fetchone()
        )
        return real_counts(con, catalog)

    monkeypatch.setattr(compact, "_row_counts", recording_counts)
    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "200MB")
    compact.compact(database)
    assert seen[0] == (limit, 2, f"{tmp_path / 'bloated.duckdb.compacting'}.tmp")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bloated.duckdb"]
