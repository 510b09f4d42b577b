"""`behavior spark-export`: the raw tables of a DuckDB build as Parquet for Spark, with
the contract's columns in order and TIMESTAMP written as an instant (UTC)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from behavior import contract
from behavior.errors import UserError
from behavior.spark_export import export


def _raw_build(path: Path) -> None:
    with duckdb.connect(str(path)) as con:
        con.execute("create schema raw")
        for table in contract.TABLES.values():
            con.execute(contract.ddl(table))
        con.execute(
            "insert into raw.courses values ('c1', 'SQL', 'data', 'beginner', 12.50, 'USD', "
            "timestamp '2026-03-01 23:30:00')"
        )


def test_export_keeps_columns_types_and_wall_time(tmp_path: Path):
    database = tmp_path / "build.duckdb"
    _raw_build(database)
    counts = export(database, tmp_path / "out")
    assert counts["courses"] == 1
    assert counts["users"] == 0
    assert set(counts) == set(contract.TABLES)
    con = duckdb.connect()
    con.execute("set timezone = 'UTC'")
    relation = f"read_parquet('{tmp_path}/out/courses/data.parquet')"
    described = con.execute(f"describe select * from {relation}").fetchall()
    assert [row[0] for row in described] == [
        c.name for c in contract.TABLES["courses"].stored_columns
    ]
    types = {row[0]: row[1] for row in described}
    assert types["published_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["price_amount"] == "DECIMAL(12,2)"
    row = con.execute(
        f"select course_id, price_amount, cast(published_at as timestamp) from {relation}"
    ).fetchone()
    assert str(row[0]) == "c1"
    assert str(row[1]) == "12.50"
    assert str(row[2]) == "2026-03-01 23:30:00"


def test_export_refuses_a_build_without_raw_tables(tmp_path: Path):
    database = tmp_path / "empty.duckdb"
    duckdb.connect(str(database)).close()
    with pytest.raises(UserError, match="has no raw table"):
        export(database, tmp_path / "out")


def test_a_failed_export_leaves_the_previous_one(tmp_path: Path, monkeypatch):
    """The export writes every table beside --out first: one that fails half-way (here
    the contract gains a table the build does not hold, after the real ones are written)
    leaves the previous export as it was, and no staging folder behind."""
    database = tmp_path / "build.duckdb"
    _raw_build(database)
    out = tmp_path / "out"
    export(database, out)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    with duckdb.connect(str(database)) as con:
        con.execute("insert into raw.courses select * replace ('c2' as course_id) from raw.courses")
    # a table with no columns: the check that raw holds it passes, its copy fails
    ghost = contract.Table(name="ghost", description="", key=("id",), columns=())
    monkeypatch.setattr(contract, "TABLES", {**contract.TABLES, "ghost": ghost})
    with duckdb.connect(str(database)) as con:
        con.execute("create view raw.ghost as select 1 as id")

    with pytest.raises(duckdb.Error):
        export(database, out)

    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build.duckdb", "out"]
