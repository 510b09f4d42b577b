"""Cross-engine equality: the sample built on DuckDB and on Spark give the same marts
and reports, row for row, and so do the hostile rows of hostile_rows.py and a
generated history built on Spark delivery by delivery (README "Running on Spark").

The engine tests run in `make test-spark`, which sets BEHAVIOR_SPARK_TESTS=1: the
sample's two after `make build-spark` (which builds both); the hostile rows' and the
incremental test build their own generated history on both engines. Plain `pytest`
skips them with the reason, so a machine without Java or a Spark build is not a
failure; the test of the comparison itself always runs.

Both sides are read by DuckDB: the DuckDB build file, and the Parquet files of the
Spark tables (managed tables of the Spark warehouse folder, one folder per table:
the files Spark itself reads). Tolerances, the only ones:
- DECIMAL (money): equal to the cent (both rounded to 2 places);
- DOUBLE / FLOAT (rates, medians, statistics): |a - b| <= 1e-9 * max(1, |a|, |b|),
  since the two engines sum in different orders;
- everything else (keys, counts, dates, timestamps, text, booleans, lists): equal.
"""

from __future__ import annotations

import math
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml

import hostile_rows as hostile
import incremental_helpers as h
from behavior import spark_export
from conftest import ROOT
from incremental_helpers import BUILD_TIME_COLUMNS

COMPARED_SCHEMAS = ("marts", "reports")
RELATIVE_TOLERANCE = 1e-9
SPARK_DIR = Path(os.environ.get("BEHAVIOR_SPARK_DIR", ROOT / "warehouse" / "spark"))
DUCKDB_FILE = ROOT / "warehouse" / "sample.duckdb"

needs_spark = pytest.mark.skipif(
    os.environ.get("BEHAVIOR_SPARK_TESTS") != "1",
    reason="Spark equality needs Java (and for the sample, both sample builds): run "
    "`make test-spark` (sets BEHAVIOR_SPARK_TESTS=1)",
)


def _duckdb_tables(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """'schema.table' -> 'schema.table' of the DuckDB build (base tables only)."""
    rows = con.execute(
        "select table_schema, table_name from information_schema.tables "
        "where table_schema in ? and table_type = 'BASE TABLE' order by 1, 2",
        [list(COMPARED_SCHEMAS)],
    ).fetchall()
    return {f"{schema}.{name}": f"{schema}.{name}" for schema, name in rows}


def _spark_tables(spark_dir: Path = SPARK_DIR) -> dict[str, Path]:
    """'schema.table' -> folder of the Spark table's Parquet files."""
    tables: dict[str, Path] = {}
    for schema in COMPARED_SCHEMAS:
        folder = spark_dir / "tables" / f"{schema}.db"
        if folder.is_dir():
            for table in sorted(folder.iterdir()):
                if table.is_dir() and any(table.glob("*.parquet")):
                    tables[f"{schema}.{table.name}"] = table
    return tables


def _normalize(value: Any, kind: str) -> Any:
    """The value as compared: money to the cent, lists element by element."""
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(value).quantize(Decimal("0.01"))
    if isinstance(value, list):
        return [_normalize(item, "other") for item in value]
    if isinstance(value, dict):
        return {key: _normalize(item, "other") for key, item in value.items()}
    return value


def _sort_key(row: tuple) -> tuple:
    """Order rows without letting float noise reorder them (floats rounded)."""
    key = []
    for value in row:
        if isinstance(value, float):
            value = None if math.isnan(value) else round(value, 6)
        key.append((value is None, repr(value) if value is not None else ""))
    return tuple(key)


def _floats_equal(left: float, right: float) -> bool:
    if math.isnan(left) or math.isnan(right):
        return math.isnan(left) and math.isnan(right)
    return abs(left - right) <= RELATIVE_TOLERANCE * max(1.0, abs(left), abs(right))


def _kinds(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    kinds = {}
    for name, data_type, *_ in con.execute(f"describe select * from {relation}").fetchall():
        upper = data_type.upper()
        if upper.startswith("DECIMAL"):
            kinds[name] = "decimal"
        elif upper in ("DOUBLE", "FLOAT", "REAL"):
            kinds[name] = "float"
        else:
            kinds[name] = "other"
    return kinds


def _rows(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str], kinds) -> list:
    select = ", ".join(
        # Spark writes timestamps as instants; the session is in UTC, so the wall
        # time is the DuckDB build's TIMESTAMP.
        f'cast("{c}" as timestamp) as "{c}"' if kinds[c] == "timestamptz" else f'"{c}"'
        for c in columns
    )
    rows = con.execute(f"select {select} from {relation}").fetchall()
    normalized = [
        tuple(_normalize(value, kinds[c]) for value, c in zip(row, columns, strict=True))
        for row in rows
    ]
    return sorted(normalized, key=_sort_key)


def _differences(con: duckdb.DuckDBPyConnection, name: str, spark_folder: Path) -> list[str]:
    spark_relation = f"read_parquet('{spark_folder}/*.parquet')"
    duck_kinds = _kinds(con, name)
    spark_kinds = _kinds(con, spark_relation)
    for column, data_type, *_ in con.execute(f"describe select * from {spark_relation}").fetchall():
        if data_type.upper().startswith("TIMESTAMP WITH TIME ZONE"):
            spark_kinds[column] = "timestamptz"
    if set(duck_kinds) != set(spark_kinds):
        return [
            f"{name}: columns differ: only DuckDB {sorted(set(duck_kinds) - set(spark_kinds))}, "
            f"only Spark {sorted(set(spark_kinds) - set(duck_kinds))}"
        ]
    columns = sorted(c for c in duck_kinds if c not in BUILD_TIME_COLUMNS)
    compare_kinds = {c: duck_kinds[c] for c in columns}
    duck_rows = _rows(con, name, columns, compare_kinds)
    spark_rows = _rows(
        con,
        spark_relation,
        columns,
        {c: ("timestamptz" if spark_kinds[c] == "timestamptz" else duck_kinds[c]) for c in columns},
    )
    if len(duck_rows) != len(spark_rows):
        return [f"{name}: {len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"]
    problems = []
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        for column, left, right in zip(columns, duck_row, spark_row, strict=True):
            if compare_kinds[column] == "float" and left is not None and right is not None:
                same = _floats_equal(float(left), float(right))
            else:
                same = left == right
            if not same:
                problems.append(f"{name}.{column}: DuckDB {left!r} != Spark {right!r}")
                break
        if len(problems) >= 5:
            break
    return problems


@pytest.fixture(scope="module")
def both_builds(tmp_path_factory: pytest.TempPathFactory):
    if not DUCKDB_FILE.exists() or not (SPARK_DIR / "tables").is_dir():
        pytest.fail(f"run `make build-spark` first: {DUCKDB_FILE} or {SPARK_DIR}/tables missing")
    # A copy: the test never holds the build file a running dbt may want.
    copy = tmp_path_factory.mktemp("spark_equality") / "sample.duckdb"
    shutil.copyfile(DUCKDB_FILE, copy)
    con = duckdb.connect(str(copy), read_only=True)
    con.execute("set timezone = 'UTC'")
    yield con
    con.close()


@needs_spark
def test_spark_builds_every_mart_and_report_table(both_builds):
    duck = set(_duckdb_tables(both_builds))
    spark = set(_spark_tables())
    assert duck, "the DuckDB build has no mart or report table"
    assert duck == spark, (
        f"only on DuckDB: {sorted(duck - spark)}; only on Spark: {sorted(spark - duck)}"
    )


def _compare_builds(con: duckdb.DuckDBPyConnection, spark_dir: Path = SPARK_DIR) -> None:
    """Every mart and report table of the DuckDB build equals Spark's, row for row."""
    spark = _spark_tables(spark_dir)
    problems = []
    checked = 0
    for name in _duckdb_tables(con):
        if name not in spark:
            problems.append(f"{name}: no Spark table")
            continue
        problems.extend(_differences(con, name, spark[name]))
        checked += 1
    assert checked > 30, f"only {checked} tables compared"
    assert not problems, "\n".join(problems)


def _compare_build_files(database: Path, spark_dir: Path) -> None:
    """_compare_builds of the DuckDB build file `database` (read only, UTC)."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        con.execute("set timezone = 'UTC'")
        _compare_builds(con, spark_dir)
    finally:
        con.close()


@needs_spark
def test_marts_and_reports_equal_row_for_row(both_builds):
    _compare_builds(both_builds)


@needs_spark
@pytest.mark.slow
def test_hostile_rows_build_on_spark_as_on_duckdb(tmp_path: Path):
    """Data anomalies never stop the reports on Spark either: the rows of
    hostile_rows.py (orphans, catalog ties, text that is not JSON, a step time that
    does not parse, a session closed before it opened, an unknown event type, a
    currency without a rate, a payment without a method) in a generated history,
    built in full on DuckDB and, from the same raw tables, on Spark (both pass: the
    anomaly tests only warn); every mart and report is equal row for row."""
    generated, database = tmp_path / "generated", tmp_path / "hostile.duckdb"
    h.generate(
        generated, users=hostile.USERS, days=hostile.DAYS, seed=hostile.SEED, start=hostile.START
    )
    h.load(generated, database)
    first_at, daily_at = hostile.plant_times(database)
    hostile.plant_full(database, first_at)
    hostile.plant_daily(database, daily_at)
    h.build(database, tmp_path / "target")

    spark_dir = tmp_path / "spark"
    spark_export.export(database, spark_dir / "raw")
    spark_env = {"BEHAVIOR_SPARK_DIR": str(spark_dir), "SPARK_LOCAL_IP": "127.0.0.1"}
    target = tmp_path / "target-spark"
    for args in (
        ["run-operation", "spark_register_raw_tables", "--args", f"{{location: {spark_dir}/raw}}"],
        ["build", "--exclude-resource-type", "unit_test"],
    ):
        h.run_dbt(args, database, target, target="spark", timeout=1200, extra_env=spark_env)
    _compare_build_files(database, spark_dir)


# The incremental test's history: small (Spark costs about a second per node, whatever
# the rows), with late events and re-sent duplicates in every event table.
INCREMENTAL_USERS, INCREMENTAL_DAYS, INCREMENTAL_SEED = 150, 12, 20261201
INCREMENTAL_START = date(2026, 9, 1)
INCREMENTAL_DELIVERIES = 3
# Of the event rows received in this many hours before a delivery's cutoff, every third
# key is held back to the next delivery (a file delayed in transit): loaded out of
# received order, within the lookback.
HELD_BACK_HOURS = 36
# What an incremental run reads from the runs before it: the incremental models' tables.
FIRST_BUILD = ["build", "--select", "+config.materialized:incremental"]


def _lookback() -> timedelta:
    """The incremental models' lookback, which Spark's watermark uses (no loader audit)."""
    project = yaml.safe_load((ROOT / "dbt_project.yml").read_text())
    return timedelta(hours=project["vars"]["behavior__incremental_lookback_hours"])


def _hold_back(batches: list[Path], cutoffs: list[datetime], out: Path) -> list[Path]:
    """The deliveries again under `out`, with every third key's event rows received in
    the HELD_BACK_HOURS before a cutoff moved to the delivery after it."""
    folders = [out / f"batch_{i + 1}" for i in range(len(batches))]
    for folder in folders:
        folder.mkdir(parents=True)
    con = duckdb.connect()
    try:
        con.execute("set timezone = 'UTC'")
        for table in h.RAW_TABLES:
            key = h.TABLES[table].key[0]
            files = [batch / f"{table}.parquet" for batch in batches]
            rows = " union all ".join(
                f"select *, {i} as _batch from read_parquet('{path}')"
                for i, path in enumerate(files)
            )
            held = " ".join(
                f"when _batch = {i} and received_at >= timestamp '{cut}' - interval "
                f"{HELD_BACK_HOURS} hour and received_at < timestamp '{cut}' "
                f"and hash_key % 3 = 0 then {i + 1}"
                for i, cut in enumerate(cutoffs)
            )
            moved = f"case {held} else _batch end" if table in h.EVENT_TIME else "_batch"
            con.execute(
                f"create or replace temp table batched as select * exclude (hash_key), "
                f"{moved} as _delivery from (select *, "
                f"('0x' || left(md5(cast({key} as varchar)), 8))::bigint as hash_key "
                f"from ({rows}))"
            )
            for i, folder in enumerate(folders):
                con.execute(
                    f"copy (select * exclude (_batch, _delivery) from batched "
                    f"where _delivery = {i}) to '{folder / f'{table}.parquet'}' (format parquet)"
                )
    finally:
        con.close()
    return folders


def _later_delivery_rows(earlier: list[Path], batch: Path, cutoff: datetime) -> dict[str, int]:
    """What a later delivery carries, summed over the event tables (`cutoff`: the start
    of its window; `lookback`: the lookback before it):
    - late: events that happened before the window;
    - late_beyond_lookback: events that happened before the lookback;
    - resent: copies of keys an earlier delivery brought;
    - resent_beyond_lookback: those of them received before the lookback;
    - out_of_order: new keys received before the newest row of an earlier delivery;
    - new_beyond_lookback: new keys received before the lookback."""
    lookback = cutoff - _lookback()
    names = (
        "late",
        "late_beyond_lookback",
        "resent",
        "resent_beyond_lookback",
        "out_of_order",
        "new_beyond_lookback",
    )
    totals = dict.fromkeys(names, 0)
    con = duckdb.connect()
    try:
        con.execute("set timezone = 'UTC'")
        for table, event_time in h.EVENT_TIME.items():
            key = h.TABLES[table].key[0]
            before = ", ".join(f"'{folder / (table + '.parquet')}'" for folder in earlier)
            counts = con.execute(
                f"""
                with earlier_rows as (select * from read_parquet([{before}])),
                rows as (
                    select *, {key} in (select {key} from earlier_rows) as is_resent
                    from read_parquet('{batch / (table + ".parquet")}')
                )
                select
                    count(*) filter (where {event_time} < $cutoff),
                    count(*) filter (where {event_time} < $lookback),
                    count(*) filter (where is_resent),
                    count(*) filter (where is_resent and received_at < $lookback),
                    count(*) filter (
                        where not is_resent
                        and received_at < (select max(received_at) from earlier_rows)
                    ),
                    count(*) filter (where not is_resent and received_at < $lookback)
                from rows
                """,
                {"cutoff": cutoff, "lookback": lookback},
            ).fetchone()
            for name, count in zip(names, counts, strict=True):
                totals[name] += count
    finally:
        con.close()
    return totals


@needs_spark
@pytest.mark.slow
def test_spark_incremental_runs_equal_a_full_build(tmp_path: Path):
    """Spark's incremental path (dbt_spark_get_incremental_sql: the table overwritten
    with the batch plus its rows whose key is not in the batch; the watermark's lookback
    fallback, as Spark has no loader audit) gives what a full build gives: a generated
    history with late events, re-sent duplicates and rows loaded out of received order,
    split by arrival into deliveries, built on Spark from the first and then, after each
    later one, by the daily run's `dbt build` (incremental, recent-rows test scope),
    equals, every mart and report row for row, a DuckDB full build of all deliveries.
    Every build passes.

    The first Spark build makes only what a later run keeps: the incremental models and
    the models and seeds they read (no data tests). Every other relation is rebuilt
    whole by the next `dbt build`, and a full Spark build with its tests is what
    test_hostile_rows_build_on_spark_as_on_duckdb checks; a full first build took 364 s
    instead of 48 s."""
    generated = tmp_path / "generated"
    h.generate(
        generated,
        users=INCREMENTAL_USERS,
        days=INCREMENTAL_DAYS,
        seed=INCREMENTAL_SEED,
        start=INCREMENTAL_START,
        duplicate_rate=0.03,
        late_rate=0.08,
    )
    cutoffs = h.day_cutoffs(INCREMENTAL_START, INCREMENTAL_DAYS, INCREMENTAL_DELIVERIES)
    split = h.write_batches(generated, tmp_path / "split", cutoffs)
    batches = _hold_back(split, cutoffs, tmp_path / "batches")
    for number, (batch, cutoff) in enumerate(zip(batches[1:], cutoffs, strict=True), start=1):
        carried = _later_delivery_rows(batches[:number], batch, cutoff)
        # The scenario: events older than the lookback (whole old sessions, user-days
        # and orders to rebuild), copies re-sent from before the lookback (restaged by
        # their raw copy count, which needs no lookback), and new rows received before
        # the newest of the earlier deliveries (found by the lookback only).
        assert carried["late_beyond_lookback"] > 0, carried
        assert carried["resent_beyond_lookback"] > 0, carried
        assert carried["out_of_order"] > 0, carried
        # Within the documented rule: no new row was received before the lookback from
        # the earlier deliveries' newest row, so every one is after each model's
        # watermark; rows beyond it are counted as missed and need `behavior reprocess`.
        assert carried["new_beyond_lookback"] == 0, carried

    reference, spark_raw = tmp_path / "reference.duckdb", tmp_path / "spark_raw.duckdb"
    for batch in batches:
        h.load(batch, reference)
    spark_dir = tmp_path / "spark"
    spark_env = {"BEHAVIOR_SPARK_DIR": str(spark_dir), "SPARK_LOCAL_IP": "127.0.0.1"}
    register = ["run-operation", "spark_register_raw_tables"]
    register += ["--args", f"{{location: {spark_dir}/raw}}"]
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The reference: one DuckDB full build of all deliveries, alongside Spark's.
        full = h.build_in_background(pool, reference, tmp_path / "target")
        for number, batch in enumerate(batches, start=1):
            # Spark reads the loader's raw tables, exported again after each load (the
            # export rewrites each table's folder; every dbt call is a new Spark
            # session, which lists the registered folders' files afresh).
            h.load(batch, spark_raw)
            spark_export.export(spark_raw, spark_dir / "raw")
            if number == 1:
                steps = [register, [*FIRST_BUILD, "--exclude-resource-type", "test", "unit_test"]]
                env = spark_env
            else:
                steps = [["build", "--exclude-resource-type", "unit_test"]]
                env = dict(spark_env, **h.DAILY_ENV)
            for args in steps:
                try:
                    h.run_dbt(
                        args,
                        spark_raw,
                        tmp_path / "target-spark",
                        target="spark",
                        timeout=1200,
                        extra_env=env,
                    )
                except h.DbtFailed as exc:
                    raise h.DbtFailed(f"Spark, delivery {number}: {exc}") from exc
        full.result()
    _compare_build_files(reference, spark_dir)


def test_comparison_catches_a_difference(tmp_path: Path):
    """The comparison itself: a cent of money or a changed count is a difference,
    float noise below the tolerance is not."""
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute(
        "create table marts.t as select * from (values "
        "(1, 10.00::decimal(18,2), 0.30000000000000004), (2, 5.50::decimal(18,2), 1.0)) "
        "v(k, usd, rate)"
    )
    same = tmp_path / "same"
    same.mkdir()
    con.execute(
        "copy (select 1 as k, 10.00::decimal(18,2) as usd, 0.3 as rate union all "
        f"select 2, 5.50, 1.0) to '{same}/a.parquet' (format parquet)"
    )
    assert _differences(con, "marts.t", same) == []
    cent = tmp_path / "cent"
    cent.mkdir()
    con.execute(
        "copy (select 1 as k, 10.01::decimal(18,2) as usd, 0.3 as rate union all "
        f"select 2, 5.50, 1.0) to '{cent}/a.parquet' (format parquet)"
    )
    assert _differences(con, "marts.t", cent) == [
        "marts.t.usd: DuckDB Decimal('10.00') != Spark Decimal('10.01')"
    ]
    count = tmp_path / "count"
    count.mkdir()
    con.execute(
        f"copy (select 1 as k, 10.00::decimal(18,2) as usd, 0.3 as rate) to "
        f"'{count}/a.parquet' (format parquet)"
    )
    assert _differences(con, "marts.t", count) == ["marts.t: 2 rows on DuckDB, 1 on Spark"]
