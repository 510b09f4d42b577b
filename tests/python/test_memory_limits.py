"""Every DuckDB connection the commands open on a warehouse file runs under the dbt
profile's limits (BEHAVIOR_DUCKDB_MEMORY_LIMIT, 2 threads): at DuckDB's default (80 %
of the RAM) a 100M publish peaked at 18.5 GB and the funnel insight at 4.6 GB. The
writers (load, publish, compact) are checked in their own test modules; here the
readers, on the sample build: each spills to a folder of its own."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from behavior.errors import UserError

LIMIT = "200MB"


@pytest.fixture
def limited(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", LIMIT)
    con = duckdb.connect()
    con.execute(f"set memory_limit = '{LIMIT}'")
    (expected,) = con.execute("select current_setting('memory_limit')").fetchone()
    con.close()
    return expected


def _readers(database: Path):
    from behavior import metrics, summary
    from behavior.dashboard import ui
    from behavior.insights import common
    from behavior.report import data

    return {
        "insight": lambda: common.connect(database),
        "report": lambda: data.connect(database)[0],
        "summary": lambda: summary._open(database),
        "metrics": lambda: metrics._connect_as(database, None),
        "metrics, attached": lambda: metrics._connect_as(database, "other_name"),
        "dashboard": lambda: ui.connection.__wrapped__(str(database), 0.0),
    }


def test_every_reader_runs_under_the_profile_limits(sample_build, limited) -> None:
    spills = set()
    for name, open_reader in _readers(sample_build["database"]).items():
        con = open_reader()
        try:
            memory, threads, spill = con.execute(
                "select current_setting('memory_limit'), current_setting('threads'), "
                "current_setting('temp_directory')"
            ).fetchone()
        finally:
            con.close()
        assert (memory, threads) == (limited, 2), name
        assert Path(spill).name.startswith("behavior-spill-"), name
        spills.add(spill)
    assert len(spills) == 6  # a folder of its own for each connection


def test_a_limit_that_is_no_size_is_a_clear_error(sample_build, monkeypatch) -> None:
    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "lots")
    for open_reader in _readers(sample_build["database"]).values():
        with pytest.raises(UserError, match="expected a size such as 3GB"):
            open_reader()


def _spill_once(con: duckdb.DuckDBPyConnection) -> None:
    """A sort larger than the limit: DuckDB writes to the instance's spill folder."""
    con.execute("select count(*) from (select * from range(4000000) order by hash(range))")
    con.fetchall()


def test_a_second_reader_of_a_file_keeps_the_first_ones_spill_folder(
    sample_build, monkeypatch
) -> None:
    # Connections to one path in one process share a DuckDB instance, which refuses a
    # new spill folder once it has used one ("Cannot switch temporary directory").
    from behavior.report import data

    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "40MB")
    first, _ = data.connect(sample_build["database"])
    try:
        _spill_once(first)
        (used,) = first.execute("select current_setting('temp_directory')").fetchone()
        assert any(Path(used).iterdir())  # the sort did spill
        second, _ = data.connect(sample_build["database"])
        try:
            (kept,) = second.execute("select current_setting('temp_directory')").fetchone()
            assert kept == used
            _spill_once(second)
        finally:
            second.close()
    finally:
        first.close()


def test_a_private_reader_sees_a_replaced_file_and_removes_its_spill_folder(
    tmp_path, monkeypatch
) -> None:
    # The dashboard keeps a connection per version of the serving file; a publish
    # replaces the file. A plain connect while the old connection is open returns the
    # old instance, with the old file's rows.
    from behavior.warehouse_file import close_private_reader, open_private_reader

    monkeypatch.setenv("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "40MB")
    path = tmp_path / "serving.duckdb"

    def write(file: Path, value: int) -> None:
        with duckdb.connect(str(file)) as con:
            con.execute(f"create schema marts; create table marts.t as select {value} as v")

    write(path, 1)
    old = open_private_reader(path)
    write(tmp_path / "new.duckdb", 2)
    (tmp_path / "new.duckdb").replace(path)
    new = open_private_reader(path)
    assert old.execute("select v from marts.t").fetchone() == (1,)
    assert new.execute("select v from marts.t").fetchone() == (2,)
    _spill_once(new)
    (spill,) = new.execute("select current_setting('temp_directory')").fetchone()
    close_private_reader(new)
    close_private_reader(old)
    assert not Path(spill).exists()
