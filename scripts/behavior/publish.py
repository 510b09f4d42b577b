"""`behavior publish`: copy a passed build into the serving file BI tools read.

Write, audit, publish. dbt builds the build file (warehouse/sample.duckdb) as before.
Only when its last build passed (models and data tests, see behavior.build_status),
this command copies the serving schemas (marts, reports, lookups, utilities with the
date spine, and the semantic layer's schema when present; absent ones are skipped)
into a new file in the same folder, checks every table's row count against the
build, adds a one-row `meta` table (when, from which build, raw load and latest
complete day), and swaps it in with an atomic rename over the serving file
(warehouse/sample.serving.duckdb beside warehouse/sample.duckdb).

The new file starts from the serving file before the last publish, kept beside it
as <serving>.previous, when no process has that file open: it is renamed away and
brought up to date like a copy, so a publish does not copy the whole serving file
(1.8 GB at 10M raw rows). Otherwise (a reader still has it open, it is missing or it
cannot be opened) the new file starts as a byte copy of the serving file, and with
`--full` (or no serving file that can be opened) from an empty file. The serving file
it replaces becomes the next <serving>.previous (a hard link taken before the rename):
the folder holds two serving files between publishes (`--no-previous` keeps one, and
every publish copies).

Every relation is copied again, except the event stream, the sessions, the user
days, the weekly and monthly lifecycle facts (98 % of the rows at 10M), the quiz
attempts and the commerce events, orders and payment attempts (SYNCED), which are
brought up to date in place: the build's rows received after the earlier file's
newest `received_at` (the lifecycle facts: built after its newest `built_at`), or
with none, replace the rows of the same key (for the attempts, the events and the
payment attempts, every row of the key: of the user x quiz, or of the order). Then
the table's row count and a checksum of all its rows (the sum of each row's hash)
must equal the build's; when they do not (a row changed without a newer
`received_at`, or vanished), the table is copied in full like the others. Either
way the serving copy holds exactly the build's rows.
The serving side's checksum is carried, not recomputed over every row, when the
file the new one started from is unchanged since the publish that wrote it (the
same size and modification time as recorded then in <serving>.fingerprints.json):
that publish's checksum of the table (a sync's, or a full copy's), minus the
replaced rows' (read by row id), plus the new rows'. Any write to the file since (a
BI tool, a user) changes its modification time, and every row is hashed again.

A failed build publishes nothing: the command names the failing nodes, exits 1,
and the serving file stays byte-identical. A reader that has the old serving file
open keeps reading it (on Linux the renamed-over file lives on until it is closed);
new connections see the new one. A file a reader has open is never written: DuckDB
readers hold a shared lock on it, so attaching the previous file for writing fails
while one is open, and the publish copies the serving file instead. Readers never
block a build (dbt writes another file) or a publish (which writes a new file and
renames it).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import duckdb

from behavior import build_status, warehouse_file
from behavior.errors import UserError

DEFAULT_SCHEMAS = ("marts", "reports", "lookups", "utilities", "semantic")
SCHEMAS_ENV = "BEHAVIOR_SERVING_SCHEMAS"
# Tests only: pause this many seconds after the first table is copied, so a test
# can kill the publish while the new file is half written.
PAUSE_ENV = "BEHAVIOR_PUBLISH_PAUSE_SECONDS"
TEMP_MARK = ".publishing-"
PREVIOUS_SUFFIX = ".previous"


class Synced(NamedTuple):
    """How a relation is brought up to date in the previous serving file (SYNCED)."""

    key: str  # the rows replaced together: a column, or columns separated by commas
    received: str  # grows with every new or changed row; rows where it is null are replaced
    rows_per_key: bool = False  # the build rewrites all rows of a key when one changes


# Relations brought up to date in the previous serving file instead of copied again.
# The event stream is a view in the build (computing it is cheap, storing its 32M rows
# at 10M raw rows took 40 of a 54 s publish), and a day adds about 3 % of its rows;
# the sessions and the user days are the next largest tables. The lifecycle facts are
# views in the build too (of int_user_periods_classified); a daily run rewrites a few
# of their rows without new received data (a new dormant period), so their column is
# built_at, the time of the dbt run that wrote the row. The orders and the quiz
# attempts are incremental models that rebuild a whole order (a user x quiz) when any
# of its events is new: an earlier row of the key can change (its attempt number, or
# whether it is the last attempt) while keeping its received time, so every row of a
# key with a new row is replaced (rows_per_key).
SYNCED = {
    ("marts", "fct_user_events"): Synced("event_id", "received_at"),
    ("marts", "fct_app_sessions"): Synced("session_id", "last_received_at"),
    ("marts", "fct_user_daily_activity"): Synced("user_day_id", "last_received_at"),
    ("marts", "fct_user_lifecycle_weekly"): Synced("user_week_id", "built_at"),
    ("marts", "fct_user_lifecycle_monthly"): Synced("user_month_id", "built_at"),
    ("marts", "fct_quiz_attempts"): Synced("user_id, quiz_id", "last_received_at", True),
    ("marts", "fct_commerce_events"): Synced("order_id", "received_at", True),
    ("marts", "fct_purchases"): Synced("order_id", "last_received_at"),
    ("marts", "fct_payment_attempts"): Synced("order_id", "last_received_at", True),
}
ROOT = Path(__file__).resolve().parents[2]
# Beside the serving file: each recent serving file's size and modification time,
# with the checksums (row count, sum of the rows' hashes) of its SYNCED tables.
FINGERPRINTS_SUFFIX = ".fingerprints.json"
FINGERPRINTS_KEPT = 4
# A SYNCED table is compacted once its deleted rows pass a share of its stored rows,
# dbt's var behavior__compact_deleted_share (read from dbt_project.yml), as dbt's
# incremental tables are (macro compact_deleted_rows): the publish, like the profile,
# turns DuckDB's vacuum off.
COMPACT_SHARE_VAR = "behavior__compact_deleted_share"


class BuildNotPublishable(Exception):
    """The build file's last build did not pass; the message says why."""


def configured_schemas(value: str | None = None) -> tuple[str, ...]:
    value = value if value is not None else os.environ.get(SCHEMAS_ENV)
    if not value:
        return DEFAULT_SCHEMAS
    schemas = tuple(part.strip() for part in value.split(",") if part.strip())
    bad = [s for s in schemas if not s.replace("_", "").isalnum()]
    if bad or not schemas:
        raise UserError(f"--schemas must be a comma-separated list of schema names, got {value!r}")
    return schemas


def compact_deleted_share() -> float:
    """dbt's var behavior__compact_deleted_share, from the project's dbt_project.yml."""
    import yaml

    path = ROOT / "dbt_project.yml"
    try:
        return float(yaml.safe_load(path.read_text())["vars"][COMPACT_SHARE_VAR])
    except (OSError, KeyError, TypeError, ValueError, yaml.YAMLError) as exc:
        raise UserError(f"cannot read vars.{COMPACT_SHARE_VAR} from {path}: {exc}") from None


def project_version() -> str | None:
    try:
        import yaml

        return str(yaml.safe_load((ROOT / "dbt_project.yml").read_text())["version"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


def git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def remove_stale_copies(serving: Path) -> None:
    """Delete half-written copies left by a publish that was killed."""
    for path in serving.parent.glob(serving.name + TEMP_MARK + "*"):
        pid_text = path.name[len(serving.name + TEMP_MARK) :].split(".")[0]
        try:
            os.kill(int(pid_text), 0)
            continue  # its publish is still running
        except (ValueError, ProcessLookupError):
            warehouse_file.remove_leftover(path)
        except PermissionError:
            continue


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _relations(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]) -> list[tuple[str, str]]:
    placeholders = ", ".join("?" for _ in schemas)
    return con.execute(
        "select schema_name, table_name from duckdb_tables() "
        f"where database_name = 'build' and schema_name in ({placeholders}) "
        "union all select schema_name, view_name from duckdb_views() "
        f"where database_name = 'build' and not internal and schema_name in ({placeholders}) "
        "order by 1, 2",
        [*schemas, *schemas],
    ).fetchall()


def _has_table(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, catalog: str = "build"
) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where database_name = ? "
            "and schema_name = ? and table_name = ?",
            [catalog, schema, table],
        ).fetchone()[0]
    )


def _meta_row(
    con: duckdb.DuckDBPyConnection,
    build: Path,
    status: build_status.BuildStatus,
    schemas: list[str],
    tables_count: int,
    rows_count: int,
) -> dict[str, object]:
    invocation = status.published_build()
    # The newest load the published data can contain: loaded before the last build
    # started (a load after it is in raw but not yet in the marts).
    last_build = next(i for i in reversed(status.invocations) if i.command == "build")
    load = (None, None, None)
    if _has_table(con, "raw", "_load_files"):
        load = (
            con.execute(
                "select load_id, source_file, finished_at from build.raw._load_files "
                "where finished_at <= ? order by finished_at desc, started_at desc limit 1",
                [last_build.started_at],
            ).fetchone()
            or load
        )
    latest_day = None
    if _has_table(con, "reports", "rpt_mis_daily"):
        latest_day = con.execute(
            "select max(report_date) from build.reports.rpt_mis_daily"
        ).fetchone()[0]
    return {
        "published_at": dt.datetime.now(dt.UTC).replace(tzinfo=None),
        "built_at": invocation.finished_at,
        "source_database": str(build.resolve()),
        "dbt_invocation_id": invocation.invocation_id,
        "dbt_command": invocation.command,
        "raw_load_id": load[0],
        "raw_load_file": load[1],
        "raw_loaded_at": load[2],
        "latest_complete_day": latest_day,
        "project_version": project_version(),
        "git_commit": git_commit(),
        "serving_schemas": ", ".join(schemas),
        "tables_count": tables_count,
        "rows_count": rows_count,
    }


META_TYPES = {
    "published_at": "timestamp",
    "built_at": "timestamp",
    "source_database": "varchar",
    "dbt_invocation_id": "varchar",
    "dbt_command": "varchar",
    "raw_load_id": "varchar",
    "raw_load_file": "varchar",
    "raw_loaded_at": "timestamp",
    "latest_complete_day": "date",
    "project_version": "varchar",
    "git_commit": "varchar",
    "serving_schemas": "varchar",
    "tables_count": "integer",
    "rows_count": "bigint",
    # The SYNCED tables brought up to date in place, with the rows replaced; null when
    # every table was copied in full.
    "synced_tables": "varchar",
    # What the new file started from: 'previous' (the serving file before the last
    # publish, brought up to date), 'copy' (a byte copy of the serving file) or 'empty'.
    "started_from": "varchar",
}


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_comments(con: duckdb.DuckDBPyConnection, relations: list[tuple[str, str]]) -> None:
    """The dbt descriptions (persist_docs comments) of the copied tables and their columns."""
    wanted = set(relations)
    tables = con.execute(
        "select schema_name, table_name, comment from duckdb_tables() "
        "where database_name = 'build' and comment is not null"
    ).fetchall()
    for schema, table, comment in tables:
        if (schema, table) in wanted:
            con.execute(f'comment on table serving."{schema}"."{table}" is {_literal(comment)}')
    columns = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = 'build' and comment is not null"
    ).fetchall()
    for schema, table, column, comment in columns:
        if (schema, table) in wanted:
            con.execute(
                f'comment on column serving."{schema}"."{table}"."{column}" is {_literal(comment)}'
            )


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, schema: str, table: str) -> list:
    return con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where database_name = ? and schema_name = ? and table_name = ? order by column_index",
        [catalog, schema, table],
    ).fetchall()


def _fingerprint(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[int, int]:
    """Row count and the sum of the rows' hashes: equal for equal multisets of rows."""
    rows, hashes = con.execute(f"select count(*), sum(hash(r)) from {relation} r").fetchone()
    return int(rows), int(hashes or 0)


def _sync(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, carried: tuple[int, int] | None
) -> tuple[int, tuple[int, int]] | None:
    """Bring serving's copy of a SYNCED table up to the build's rows in place: the rows
    replaced and the table's checksum (_fingerprint), or None when it must be copied
    in full instead (its serving copy is dropped then). `carried`: the serving copy's
    checksum as published, when the file is unchanged since (fingerprints_of)."""
    name = f'"{schema}"."{table}"'
    key, received, rows_per_key = SYNCED[(schema, table)]
    if _columns(con, "serving", schema, table) != _columns(con, "build", schema, table):
        return None
    watermark = con.execute(f"select max({received}) from serving.{name}").fetchone()[0]
    if watermark is None:
        return None
    # The build's new and changed rows (with rows_per_key, every row of their keys),
    # computed once (the event stream is a view), and the row ids of the served rows
    # they replace: found on the key columns alone, then read by row id (DuckDB
    # fetches those rows only, not every row's columns).
    changed = f"{received} > ? or {received} is null"
    if rows_per_key:
        changed = f"({key}) in (select {key} from build.{name} where {changed})"
    con.execute(
        f"create temp table publish_changed as select * from build.{name} where {changed}",
        [watermark],
    )
    con.execute(
        f"create temp table publish_replaced as select rowid as replaced_rowid "
        f"from serving.{name} where ({key}) in (select {key} from temp.publish_changed)"
    )
    replaced_rows = "rowid in (select replaced_rowid from temp.publish_replaced)"
    removed = (
        None
        if carried is None
        else _fingerprint(con, f"(select * from serving.{name} where {replaced_rows})")
    )
    con.execute(f"delete from serving.{name} where {replaced_rows}")
    replaced = con.execute(f"insert into serving.{name} select * from temp.publish_changed")
    replaced = int(replaced.fetchone()[0])
    fingerprint = _fingerprint(con, f"build.{name}")
    if carried is not None and removed is not None:
        added = _fingerprint(con, "temp.publish_changed")
        found = tuple(c - r + a for c, r, a in zip(carried, removed, added, strict=True))
    else:
        found = _fingerprint(con, f"serving.{name}")
    con.execute("drop table temp.publish_changed")
    con.execute("drop table temp.publish_replaced")
    if found != fingerprint:
        con.execute(f"drop table serving.{name}")
        return None
    return replaced, fingerprint


def _compact(con: duckdb.DuckDBPyConnection, tables: list[str], share: float) -> list[str]:
    """Rewrite each of serving's `tables` ("schema.table") whose deleted rows are more
    than `share` (compact_deleted_share) of its stored rows (deleted ones included: DuckDB's
    estimated_size), after a checkpoint, so that the copies start a row group of their
    own: its live rows are copied to its end and every row stored before them deleted,
    in one transaction; the emptied row groups are dropped at the next checkpoint. The
    rows are the same (the checksums too); only their order changes. Returns the tables
    compacted."""
    bloated = []
    for qualified in tables:
        schema, table = qualified.split(".", 1)
        name = f'serving."{schema}"."{table}"'
        stored = con.execute(
            "select estimated_size from duckdb_tables() "
            "where database_name = 'serving' and schema_name = ? and table_name = ?",
            [schema, table],
        ).fetchone()
        live = con.execute(f"select count(*) from {name}").fetchone()[0]
        if stored and stored[0] - live > share * stored[0]:
            bloated.append((qualified, name))
    if bloated:
        con.execute("checkpoint serving")
    for _, name in bloated:
        con.execute("begin")
        bound = con.execute(f"select max(rowid) from {name}").fetchone()[0]
        con.execute(f"insert into {name} select * from {name}")
        con.execute(f"delete from {name} where rowid <= ?", [bound])
        con.execute("commit")
    return [qualified for qualified, _ in bloated]


def fingerprints_path(serving: Path) -> Path:
    """Where publish records the checksums of recent serving files (module docstring)."""
    return serving.with_name(serving.name + FINGERPRINTS_SUFFIX)


def _file_identity(path: Path) -> list[int] | None:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def _read_fingerprints(serving: Path) -> list[dict]:
    try:
        entries = json.loads(fingerprints_path(serving).read_text())
        return [e for e in entries if isinstance(e, dict) and "file" in e and "tables" in e]
    except (OSError, ValueError, TypeError):
        return []  # none yet, or unreadable: every checksum is computed


def fingerprints_of(serving: Path, path: Path) -> dict[str, tuple[int, int]]:
    """The SYNCED tables' checksums recorded when the file at `path` was published,
    when its size and modification time are still the ones recorded then; else {}."""
    identity = _file_identity(path)
    for entry in _read_fingerprints(serving):
        if identity is not None and entry["file"] == identity:
            tables = entry["tables"].items()
            return {name: (int(rows), int(hashes)) for name, (rows, hashes) in tables}
    return {}


def _record_fingerprints(serving: Path, tables: dict[str, tuple[int, int]]) -> None:
    """After the rename: the serving file's size, modification time and checksums
    first, then the earlier entries (the previous file's among them)."""
    identity = _file_identity(serving)
    if identity is None:
        return
    entry = {"file": identity, "tables": {k: [v[0], str(v[1])] for k, v in tables.items()}}
    kept = [e for e in _read_fingerprints(serving) if e["file"] != identity]
    path = fingerprints_path(serving)
    temporary = path.with_name(path.name + f".{os.getpid()}")
    temporary.write_text(json.dumps([entry, *kept][:FINGERPRINTS_KEPT]))
    os.replace(temporary, path)


def _copy(
    con: duckdb.DuckDBPyConnection,
    build: Path,
    status: build_status.BuildStatus,
    schemas: tuple[str, ...],
    started_from: str,
    carried: dict[str, tuple[int, int]],
) -> tuple[dict[str, object], dict[str, tuple[int, int]]]:
    """Copy the serving schemas from catalog build into catalog serving (an earlier
    serving file, or empty); the meta row, and the checksums of the tables synced
    (`carried`: those of the file it started from, fingerprints_of)."""
    relations = _relations(con, schemas)
    if not relations:
        raise UserError(f"{build} has none of the schemas {', '.join(schemas)}: nothing to publish")
    pause = float(os.environ.get(PAUSE_ENV) or 0)
    copied_schemas = sorted({schema for schema, _ in relations})
    expected: dict[str, int] = {}
    synced: dict[str, int] = {}
    fingerprints: dict[str, tuple[int, int]] = {}
    con.execute("begin")
    kept = set(SYNCED) & set(relations)
    for schema, table in con.execute(
        "select schema_name, table_name from duckdb_tables() where database_name = 'serving' "
        "union all select schema_name, view_name from duckdb_views() "
        "where database_name = 'serving' and not internal"
    ).fetchall():
        if (schema, table) not in kept:
            kind = "table" if _has_table(con, schema, table, "serving") else "view"
            con.execute(f'drop {kind} serving."{schema}"."{table}"')
    for (schema,) in con.execute(
        "select schema_name from duckdb_schemas() where database_name = 'serving' "
        "and not internal and schema_name <> 'main'"
    ).fetchall():
        if schema not in copied_schemas:
            con.execute(f'drop schema serving."{schema}"')
    for schema in copied_schemas:
        con.execute(f'create schema if not exists serving."{schema}"')
    for i, (schema, table) in enumerate(relations):
        name = f'"{schema}"."{table}"'
        done = None
        if (schema, table) in kept:  # a missing serving copy has other columns: None
            done = _sync(con, schema, table, carried.get(f"{schema}.{table}"))
        if done is None:
            con.execute(f"drop table if exists serving.{name}")
            # The rows the copy read from the build: counting them again would compute
            # a view (the event stream) a second time.
            expected[name] = con.execute(
                f"create table serving.{name} as select * from build.{name}"
            ).fetchone()[0]
            if (schema, table) in SYNCED:  # its checksum, for the next publish to carry
                fingerprints[f"{schema}.{table}"] = _fingerprint(con, f"serving.{name}")
        else:
            synced[f"{schema}.{table}"], fingerprints[f"{schema}.{table}"] = done
            expected[name] = done[1][0]
        if pause and i == 0:
            print(f"publish: paused after copying {schema}.{table}", file=sys.stderr, flush=True)
            time.sleep(pause)
    _copy_comments(con, relations)
    found = {
        name: con.execute(f"select count(*) from serving.{name}").fetchone()[0] for name in expected
    }
    differ = sorted(name for name in expected if expected[name] != found[name])
    if differ:
        con.execute("rollback")
        raise UserError(f"the serving copy differs from the build in {', '.join(differ)}")
    meta = _meta_row(con, build, status, copied_schemas, len(expected), sum(expected.values()))
    meta["synced_tables"] = (
        ", ".join(f"{name} ({rows:,} rows replaced)" for name, rows in synced.items()) or None
    )
    meta["started_from"] = started_from
    columns = ", ".join(f"{name} {kind}" for name, kind in META_TYPES.items())
    con.execute(f"create table serving.main.meta ({columns})")
    con.execute(
        f"insert into serving.main.meta values ({', '.join('?' for _ in META_TYPES)})",
        [meta[name] for name in META_TYPES],
    )
    con.execute("commit")
    return meta, fingerprints


def previous_path(serving: Path) -> Path:
    """The serving file before the last publish, kept for the next one to reuse."""
    return serving.with_name(serving.name + PREVIOUS_SUFFIX)


def _claim_previous(serving: Path, copy: Path) -> bool:
    """Rename the previous serving file to `copy` when it can be reused: it exists, has
    no .wal (nothing wrote to it since the publish that kept it) and is not the serving
    file itself (a publish killed between keeping it and the rename leaves two names
    for one file). A file that cannot be reused is deleted (readers keep theirs)."""
    previous = previous_path(serving)
    wal = Path(str(previous) + ".wal")
    try:
        same = os.path.samefile(previous, serving)
    except FileNotFoundError:
        wal.unlink(missing_ok=True)
        return False
    if same or wal.exists():
        previous.unlink(missing_ok=True)
        wal.unlink(missing_ok=True)
        return False
    try:
        os.replace(previous, copy)  # from here on no reader can open it by its name
    except FileNotFoundError:  # another publish took it first
        return False
    return True


def _attach_copy(
    con: duckdb.DuckDBPyConnection, serving: Path, copy: Path, full: bool, reuse: bool
) -> str:
    """Attach the new file as catalog serving: the previous serving file (reuse), else a
    byte copy of the serving file, else an empty file (full, none, or none that can be
    opened). What it started from."""
    starts = [] if full or not serving.is_file() else ["previous", "copy"] if reuse else ["copy"]
    for start in starts:
        if start == "previous" and not _claim_previous(serving, copy):
            continue
        if start == "copy":
            shutil.copyfile(serving, copy)
        try:
            con.execute(f"attach '{_quoted(copy)}' as serving")
            return start
        except duckdb.Error:
            # previous: a reader still has it open (DuckDB's lock), or it is damaged;
            # copy: the serving file is damaged or of another format. (A reader of
            # a claimed previous file keeps its own open handle.)
            for leftover in serving.parent.glob(copy.name + "*"):
                warehouse_file.remove_leftover(leftover)
    con.execute(f"attach '{_quoted(copy)}' as serving")
    return "empty"


def _keep_previous(serving: Path, keep: bool) -> None:
    """Before the new file is renamed over the serving file, the serving file gets a
    second name, <serving>.previous, so the next publish can reuse it."""
    previous = previous_path(serving)
    previous.unlink(missing_ok=True)
    Path(str(previous) + ".wal").unlink(missing_ok=True)
    if keep and serving.is_file():
        with contextlib.suppress(OSError):  # no hard links here: the next publish copies
            os.link(serving, previous)


def publish(
    build: Path,
    serving: Path | None = None,
    schemas: tuple[str, ...] = DEFAULT_SCHEMAS,
    full: bool = False,
    keep_previous: bool = True,
) -> dict[str, object]:
    """Publish `build` to `serving` (default beside it); the meta row written. The new
    file starts from the previous serving file (when `keep_previous` and no reader has
    it open), else a copy of the serving file, unless `full`.

    BuildNotPublishable when its last build did not pass (the serving file is untouched).
    """
    serving = serving or build_status.serving_path(build)
    if not build.is_file():
        raise UserError(f"no build file at {build}: run `make build` first")
    if serving.resolve() == build.resolve():
        raise UserError("the serving file must not be the build file")
    if serving.exists() or serving.is_symlink():
        # a serving file is replaced: never a file that is not one (a CSV, a folder)
        try:
            warehouse_file.require_warehouse(serving, "--serving")
        except UserError as exc:
            raise UserError(f"{exc}; refusing to replace it") from None
    if Path(str(serving) + ".wal").exists():
        raise UserError(
            f"{serving}.wal exists: something wrote to the serving file; "
            "close it and delete the .wal file (BI must open the serving file read-only)"
        )
    serving.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_copies(serving)
    copy = serving.with_name(f"{serving.name}{TEMP_MARK}{os.getpid()}")
    warehouse_file.memory_limit()  # a bad value stops before anything is written
    share = compact_deleted_share()  # so does an unreadable project file
    try:
        with duckdb.connect() as con:
            # Under the dbt profile's limits: at DuckDB's default (80 % of the RAM) a
            # 100M publish peaked at 18.5 GB. What passes the limit spills beside the
            # copy (removed with it below).
            warehouse_file.limit_resources(con, spill_to=Path(f"{copy}.tmp"))
            # No row-group merges at the checkpoint (see COMPACT_SHARE_VAR): at 10M
            # raw rows they cost the daily publish about 1 s.
            con.execute("set max_vacuum_tasks = 0")
            try:
                con.execute(f"attach '{_quoted(build)}' as build (read_only)")
            except duckdb.Error as exc:
                if build_status.is_lock_error(exc):
                    raise UserError(
                        f"{build} is being written by another process "
                        f"({build_status.lock_holder(str(exc))}), probably a dbt build: "
                        "publish after it ends"
                    ) from exc
                raise UserError(f"cannot open {build} as a DuckDB warehouse: {exc}") from exc
            status = build_status.read_status(con, build, "build")
            reason = status.blocking_reason()
            if reason:
                raise BuildNotPublishable(reason)
            # The checksums of the file the new one may start from, read before it is
            # renamed or copied (either keeps its size; the copy not its mtime).
            carried = {
                "previous": fingerprints_of(serving, previous_path(serving)),
                "copy": fingerprints_of(serving, serving),
            }
            started_from = _attach_copy(con, serving, copy, full, keep_previous)
            meta, fingerprints = _copy(
                con, build, status, schemas, started_from, carried.get(started_from, {})
            )
            meta["compacted_tables"] = _compact(con, sorted(fingerprints), share)
            con.execute("checkpoint serving")
            con.execute("detach serving")
        _fsync(copy)
        _keep_previous(serving, keep_previous)
        os.replace(copy, serving)
        _record_fingerprints(serving, fingerprints)
        dir_fd = os.open(serving.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except duckdb.Error as exc:
        raise UserError(f"could not publish {build} to {serving}: {exc}") from exc
    finally:
        for leftover in serving.parent.glob(copy.name + "*"):
            warehouse_file.remove_leftover(leftover)
    return meta


STARTS = {
    "previous": "the previous serving file",
    "copy": "a copy of the serving file",
    "empty": "an empty file",
}


def run(args: argparse.Namespace) -> int:
    build = Path(args.database) if args.database else build_status.default_build_database()
    serving = Path(args.serving) if args.serving else build_status.serving_path(build)
    schemas = configured_schemas(args.schemas)
    started = time.perf_counter()
    try:
        meta = publish(build, serving, schemas, full=args.full, keep_previous=args.previous)
    except BuildNotPublishable as exc:
        print(
            f"behavior publish: nothing published: {exc}. "
            f"{serving} is unchanged (BI keeps reading the last good build).",
            file=sys.stderr,
        )
        return 1
    size = serving.stat().st_size / 2**20
    synced = meta["synced_tables"]
    print(
        f"published {meta['tables_count']} tables ({meta['rows_count']:,} rows; schemas "
        f"{meta['serving_schemas']}) from {build} to {serving}: {size:,.1f} MB in "
        f"{time.perf_counter() - started:.1f} s; latest complete day "
        f"{meta['latest_complete_day']}; started from "
        + STARTS[str(meta["started_from"])]
        + (f"; brought up to date in place: {synced}" if synced else "")
        + (
            f"; compacted (a quarter of the rows deleted): {', '.join(meta['compacted_tables'])}"
            if meta["compacted_tables"]
            else ""
        )
    )
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument(
        "--database",
        help="build file (default: $BEHAVIOR_DUCKDB_PATH, else the file of $BEHAVIOR_TARGET, "
        "warehouse/sample.duckdb)",
    )
    parser.add_argument(
        "--serving", help="serving file (default: <build>.serving.duckdb beside the build file)"
    )
    parser.add_argument(
        "--schemas",
        help=f"comma-separated schemas to copy, absent ones skipped "
        f"(default: ${SCHEMAS_ENV} or {','.join(DEFAULT_SCHEMAS)})",
    )
    parser.add_argument(
        "--full",
        action="store_true",
        help="copy every table into an empty file (default: start from the previous "
        "serving file, or a copy of the serving file, and bring the largest tables up to "
        "date in place)",
    )
    parser.add_argument(
        "--no-previous",
        dest="previous",
        action="store_false",
        help="keep no <serving>.previous beside the serving file (half the disk space "
        "between publishes; every publish then copies the serving file)",
    )
    parser.set_defaults(func=run)
