"""Helpers for tests of incremental builds: make deliveries, load, build, compare.

A test typically:

    manifest = generate(raw_dir, users=150, days=20, seed=7, duplicate_rate=0.02, late_rate=0.05)
    batches = write_batches(raw_dir, out_dir, day_cutoffs(START, 20, 3))
    for batch in batches:
        load(batch, db_a)
        build(db_a, target_a)                      # incremental after the first
    for batch in batches:
        load(batch, db_b)
    build(db_b, target_b, full_refresh=True)
    assert not compare_databases(db_a, db_b, COMPARED_SCHEMAS)

For a hand-made late event, `write_rows(folder, "user_purchases", [{...}])` writes a
one-table delivery typed by the contract, and `query(database, sql)` reads cells.
Database files of one comparison need different file names (the stem is DuckDB's
catalog name, and dbt's views refer to it).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from behavior.bench.split import split_raw
from behavior.contract import EVENT_TABLES, TABLES, ddl
from behavior.dbt_command import command as behavior_dbt
from behavior.load import LoadResult, load_paths
from conftest import ROOT, dbt_env

COMPARED_SCHEMAS = ("staging", "intermediate", "marts", "reports")
# Columns that say when a row was written (the run's start time), not what it holds:
# two builds of the same data differ there by design, so comparisons leave them out.
BUILD_TIME_COLUMNS = ("built_at",)
# The daily run's switch (`make daily`): data tests on incremental models see recent
# rows. An environment variable, not --vars, so dbt keeps its partial-parse cache.
DAILY_ENV = {"BEHAVIOR_TEST_RECENT_ONLY": "true"}
# The same switch as a dbt var (still honoured; a changed --vars forces a full parse).
DAILY_VARS = {"behavior__test_recent_only": True}
RAW_TABLES = tuple(TABLES)
EVENT_TIME = {
    "user_course_interactions": "occurred_at",
    "user_app_sessions": "opened_at",
    "quiz_attempts": "started_at",
    "user_purchases": "occurred_at",
}
assert set(EVENT_TIME) == set(EVENT_TABLES), "every event table needs its event time"
FLOAT_TYPES = ("DOUBLE", "FLOAT", "REAL")
# dbt as the Makefile runs it: `behavior dbt` on DuckDB (the daily run's parse test,
# the incremental == full proof and the late-event tests run the command `make`
# runs), the `dbt` script on Spark (as `make build-spark`: py4j frees the JVM's
# objects when Python collects their proxies, so nothing there is frozen).
DBT = behavior_dbt()
SPARK_DBT = [str(Path(sys.executable).parent / "dbt")]


# --- data ----------------------------------------------------------------------------


def generate(
    out: Path,
    users: int,
    days: int,
    seed: int,
    start: date = date(2026, 9, 1),
    duplicate_rate: float = 0.0,
    late_rate: float = 0.0,
    timeout: float = 300,
) -> dict:
    """Run `behavior generate` (Parquet, no malformed rows); returns its manifest."""
    cmd = [
        sys.executable,
        "-m",
        "behavior.cli",
        "generate",
        "--users",
        str(users),
        "--days",
        str(days),
        "--start",
        start.isoformat(),
        "--seed",
        str(seed),
        "--out",
        str(out),
        "--format",
        "parquet",
        "--duplicate-rate",
        str(duplicate_rate),
        "--late-rate",
        str(late_rate),
        "--quiet",
    ]
    subprocess.run(cmd, check=True, cwd=ROOT, timeout=timeout)
    return json.loads((out / "_manifest.json").read_text())


def day_cutoffs(start: date, days: int, batches: int) -> list[datetime]:
    """Midnights splitting `days` days from `start` into `batches` even deliveries.

    The last delivery also takes every row received after the range (late events).
    """
    if not 1 <= batches <= days:
        raise ValueError("need 1 <= batches <= days")
    first = datetime.combine(start, datetime.min.time())
    return [first + timedelta(days=round(days * i / batches)) for i in range(1, batches)]


def write_batches(
    source: Path, out: Path, cutoffs: Sequence[datetime], resend_duplicates: bool = True
) -> list[Path]:
    """Split the generated files in `source` into `out/batch_<n>/<table>.parquet`.

    Rows go by arrival (received_at; users by updated_at; catalog in batch 1); a
    repeated copy of a row is re-sent with the next batch (see behavior.bench.split).
    """
    folders = [out / f"batch_{i + 1}" for i in range(len(cutoffs) + 1)]
    split_raw(source, folders, cutoffs, resend_duplicates=resend_duplicates)
    return folders


def write_rows(folder: Path, table: str, rows: Iterable[Mapping[str, Any]]) -> Path:
    """A hand-made delivery: `rows` (contract columns; missing ones are null) as
    `<folder>/<table>.parquet`, typed by the contract. Values may be Python objects
    or strings DuckDB casts (e.g. '2026-09-03 10:00:00')."""
    spec = TABLES[table]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{table}.parquet"
    names = spec.column_names
    con = duckdb.connect()
    try:
        con.execute(ddl(spec, schema="main"))
        values = [[row.get(name) for name in names] for row in rows]
        unknown = {key for row in rows for key in row} - set(names)
        if unknown:
            raise ValueError(f"not columns of {table}: {sorted(unknown)}")
        if values:
            marks = ", ".join("?" for _ in names)
            con.executemany(f"insert into main.{table} values ({marks})", values)
        con.execute(f"copy main.{table} to '{path}' (format parquet)")
    finally:
        con.close()
    return path


def load(paths: Path | Sequence[Path], database: Path) -> LoadResult:
    """Load files with the loader's Python API; fails on rejected or quarantined rows."""
    paths = [paths] if isinstance(paths, Path) else list(paths)
    result = load_paths(paths, database)
    assert not result.rejected, [(f.path, f.reason) for f in result.rejected]
    quarantined = {t: c.rows_quarantined for t, c in result.tables.items() if c.rows_quarantined}
    assert not quarantined, f"rows quarantined: {quarantined}"
    return result


# --- dbt -----------------------------------------------------------------------------


class DbtFailed(AssertionError):
    """A dbt command exited non-zero; the message lists the failing nodes."""


def _failures(target_path: Path) -> list[str]:
    results = target_path / "run_results.json"
    if not results.exists():
        return []
    return [
        f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:300]}"
        for r in json.loads(results.read_text()).get("results", [])
        if r["status"] in ("error", "fail", "runtime error")
    ]


def run_dbt(
    args: Sequence[str],
    database: Path,
    target_path: Path,
    target: str = "warehouse",
    dbt_vars: Mapping[str, Any] | None = None,
    threads: int | None = None,
    timeout: float = 900,
    check: bool = True,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`dbt <args>` on its own database file and target dir, under a timeout."""
    env = dbt_env(database, target_path, target)
    env["DBT_USE_COLORS"] = "false"
    env.update(extra_env or {})
    if threads is not None:
        env["BEHAVIOR_DBT_THREADS"] = str(threads)
    cmd = [*(SPARK_DBT if target == "spark" else DBT), *args]
    if dbt_vars:
        cmd += ["--vars", json.dumps(dict(dbt_vars))]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        failures = _failures(target_path) or proc.stdout.splitlines()[-30:]
        raise DbtFailed(
            f"`dbt {' '.join(args)}` on {database.name} exited {proc.returncode}:\n"
            + "\n".join(failures)
            + (f"\n{proc.stderr[-2000:]}" if proc.stderr.strip() else "")
        )
    return proc


def build(
    database: Path,
    target_path: Path,
    full_refresh: bool = False,
    dbt_vars: Mapping[str, Any] | None = None,
    select: Sequence[str] = (),
    exclude: Sequence[str] = (),
    unit_tests: bool = False,
    threads: int | None = None,
    extra_env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`dbt build` (target warehouse). Unit tests are left out by default: they do not
    read the data, and `make build` runs them."""
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if select:
        args += ["--select", *select]
    if exclude:
        args += ["--exclude", *exclude]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    return run_dbt(
        args, database, target_path, dbt_vars=dbt_vars, threads=threads, extra_env=extra_env
    )


def build_in_background(pool: ThreadPoolExecutor, *args: Any, **kwargs: Any) -> Future:
    """`build(...)` in a worker thread (dbt is a subprocess, so it runs alongside)."""
    return pool.submit(build, *args, **kwargs)


def null_key_in_staging_view(view: str, key: str, twice: bool = False) -> list[str]:
    """Statements that make staging view `view` (schema staging) also yield a copy of
    its first row with a null `key`: the null a model's contract must refuse. Staging
    itself leaves a raw row without a required value out (macro
    required_values_present), so a raw null no longer reaches a model. With `twice`,
    the view also yields its last row a second time: the duplicate key a catalog
    staging view keeps out of raw's copies (macro catalog_first_copies)."""
    built = f"{view}_as_built"
    duplicate = (
        f" union all select * from staging.{built} "
        f"where {key} = (select max({key}) from staging.{built})"
        if twice
        else ""
    )
    return [
        f"alter view staging.{view} rename to {built}",
        f"create view staging.{view} as select * from staging.{built} "
        f"union all select * replace (null as {key}) from staging.{built} "
        f"where {key} = (select min({key}) from staging.{built}){duplicate}",
    ]


# --- reading and comparing -----------------------------------------------------------


def query(database: Path, sql: str, params: Sequence[Any] | None = None) -> list[tuple]:
    """Rows of a read-only query on a database file."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def relations(
    con: duckdb.DuckDBPyConnection, catalog: str, schemas: Sequence[str]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, name) -> [(column, type)] for the tables and views of `schemas`."""
    rows = con.execute(
        """
        select table_schema, table_name, column_name, data_type
        from information_schema.columns
        where table_catalog = ? and list_contains(?, table_schema)
        order by table_schema, table_name, ordinal_position
        """,
        [catalog, list(schemas)],
    ).fetchall()
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, name, column, kind in rows:
        found.setdefault((schema, name), []).append((column, kind))
    return found


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _column_changes(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> str:
    types_a, types_b = dict(a), dict(b)
    parts = []
    if only_a := [c for c in types_a if c not in types_b]:
        parts.append(f"only in A: {only_a}")
    if only_b := [c for c in types_b if c not in types_a]:
        parts.append(f"only in B: {only_b}")
    retyped = [
        f"{c} {types_a[c]} -> {types_b[c]}"
        for c in types_a
        if c in types_b and types_a[c] != types_b[c]
    ]
    if retyped:
        parts.append(f"types differ: {retyped}")
    if not parts:
        parts.append(f"column order differs: A {list(types_a)} / B {list(types_b)}")
    return "columns differ: " + "; ".join(parts)


@dataclass
class Difference:
    """One relation that differs between database A and database B."""

    relation: str
    message: str
    only_in_a: list[tuple] = field(default_factory=list)
    only_in_b: list[tuple] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        lines = [f"{self.relation}: {self.message}"]
        if self.columns and (self.only_in_a or self.only_in_b):
            lines.append("    columns: " + ", ".join(self.columns))
        lines += [f"    only in A: {row}" for row in self.only_in_a]
        lines += [f"    only in B: {row}" for row in self.only_in_b]
        return "\n".join(lines)


def compare_databases(
    a: Path,
    b: Path,
    schemas: Sequence[str] = COMPARED_SCHEMAS,
    tables: Iterable[str] | None = None,
    float_digits: int | None = 9,
    ignore_columns: Iterable[str] = BUILD_TIME_COLUMNS,
    sample: int = 5,
) -> list[Difference]:
    """Row-for-row comparison of every table and view of `schemas` in A and B.

    Same relations, same columns (names, types, order) and `A except all B` empty
    both ways (duplicates count). Float columns are rounded to `float_digits`
    decimals first (None: exact), since sums of doubles may differ in the last bit
    with summation order. `tables` limits the comparison to those names;
    `ignore_columns` drops columns from it (by default the build-time columns).
    """
    if a.stem == b.stem:
        raise ValueError("the two database files need different names")
    wanted = set(tables) if tables is not None else None
    ignored = set(ignore_columns)
    con = duckdb.connect(str(a), read_only=True)
    differences: list[Difference] = []
    try:
        con.execute(f"attach '{b}' as {_quote(b.stem)} (read_only)")
        in_a = relations(con, a.stem, schemas)
        in_b = relations(con, b.stem, schemas)
        if wanted is not None:
            in_a = {k: v for k, v in in_a.items() if k[1] in wanted}
            in_b = {k: v for k, v in in_b.items() if k[1] in wanted}
        for key in sorted(set(in_a) | set(in_b)):
            name = ".".join(key)
            if key not in in_b or key not in in_a:
                side = "A" if key in in_a else "B"
                differences.append(Difference(name, f"exists only in {side}"))
                continue
            if in_a[key] != in_b[key]:
                differences.append(Difference(name, _column_changes(in_a[key], in_b[key])))
                continue
            columns = [(c, t) for c, t in in_a[key] if c not in ignored]
            picks = ", ".join(
                f"round({_quote(c)}, {float_digits}) as {_quote(c)}"
                if float_digits is not None and t.upper() in FLOAT_TYPES
                else _quote(c)
                for c, t in columns
            )
            rel = f"{_quote(key[0])}.{_quote(key[1])}"
            side_a = f"select {picks} from {_quote(a.stem)}.{rel}"
            side_b = f"select {picks} from {_quote(b.stem)}.{rel}"
            only_a = f"({side_a} except all {side_b})"
            only_b = f"({side_b} except all {side_a})"
            (count_a,) = con.execute(f"select count(*) from {only_a}").fetchone()
            (count_b,) = con.execute(f"select count(*) from {only_b}").fetchone()
            if count_a or count_b:
                (rows_a,) = con.execute(f"select count(*) from ({side_a})").fetchone()
                (rows_b,) = con.execute(f"select count(*) from ({side_b})").fetchone()
                differences.append(
                    Difference(
                        name,
                        f"{count_a} rows only in A, {count_b} only in B "
                        f"(A has {rows_a} rows, B {rows_b})",
                        only_in_a=con.execute(f"select * from {only_a} limit {sample}").fetchall(),
                        only_in_b=con.execute(f"select * from {only_b} limit {sample}").fetchall(),
                        columns=[c for c, _ in columns],
                    )
                )
    finally:
        con.close()
    return differences


def row_counts(database: Path, schemas: Sequence[str] = COMPARED_SCHEMAS) -> dict[str, int]:
    """schema.table -> rows, for the base tables of `schemas`."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        names = con.execute(
            """
            select table_schema, table_name from information_schema.tables
            where table_catalog = current_database() and list_contains(?, table_schema)
                and table_type = 'BASE TABLE'
            order by 1, 2
            """,
            [list(schemas)],
        ).fetchall()
        return {
            f"{s}.{t}": con.execute(f"select count(*) from {_quote(s)}.{_quote(t)}").fetchone()[0]
            for s, t in names
        }
    finally:
        con.close()


def describe(differences: Sequence[Difference]) -> str:
    """A failure message: one block per differing relation."""
    return f"{len(differences)} relations differ:\n" + "\n".join(map(str, differences))
