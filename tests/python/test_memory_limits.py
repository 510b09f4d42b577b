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
