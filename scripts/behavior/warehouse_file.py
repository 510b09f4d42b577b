"""Guards around the warehouse file the loader writes: refuse what is not ours.

- `check_database`: the `--database` must be a DuckDB file (checked by the magic
  bytes `DUCK` at offset 8 of its header) or not exist yet, and its folder must be
  writable; anything else is one line on stderr and a non-zero exit (DuckDB would
  otherwise open a CSV as data, or fail later with a traceback).
- `open_attached`: the file is attached under a fixed catalog alias, so a file named
  after one of our schemas (`raw.duckdb`, `marts.duckdb`) cannot make `raw.<table>`
  ambiguous (or, read-only, under the catalog name compiled SQL uses: `metrics`).
- `rollback_quietly` / `usable`: a failed COMMIT (a full disk, a file size limit)
  is reported as itself; the rollback that follows, which DuckDB refuses when the
  commit already ended the transaction, does not mask it.
- `memory_limit` / `limit_resources` / `limit_reader`: the dbt profile's DuckDB
  limits (BEHAVIOR_DUCKDB_MEMORY_LIMIT, default 3GB; 2 threads) for every connection
  the commands open on a warehouse file; DuckDB's own default is 80 % of the RAM.
- `open_private_reader` / `close_private_reader`: a read-only connection in an
  instance of its own, for the dashboard's long-lived process.
- `has_relation`: whether a table or view exists (in one attached database, or any).
- `registered`: an Arrow table as a view for the statements inside the block. DuckDB 2
  refuses to register while the connection holds an unfinished result (any
  `execute(...).fetchone()` leaves one), so the result is run to its end first.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from behavior.errors import UserError

DUCKDB_MAGIC = b"DUCK"
MAGIC_OFFSET = 8
CATALOG_ALIAS = "behavior_warehouse"
SPILL_PREFIX = "behavior-spill-"


def check_database(path: Path) -> None:
    """Raise UserError unless `path` is a DuckDB file or can be created as one."""
    if path.is_dir():
        raise UserError(f"--database {path} is a folder, not a DuckDB file")
    if path.exists():
        try:
            require_warehouse(path)
        except UserError as exc:
            raise UserError(f"{exc}; refusing to write into it") from None
        if not os.access(path, os.W_OK):
            raise UserError(f"--database {path} is not writable")
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder of --database {path}: {exc.strerror}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UserError(f"cannot write in {folder} (folder of --database {path})")


def open_attached(
    path: Path, alias: str = CATALOG_ALIAS, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with `path` attached as `alias` and in use (written:
    spilling beside it, in <path>.tmp)."""
    con = duckdb.connect()
    quoted = '"' + alias.replace('"', '""') + '"'
    try:
        con.execute(
            f"attach {_literal(str(path))} as {quoted}" + (" (read_only)" if read_only else "")
        )
        con.execute(f"use {quoted}")
        if not read_only:
            con.execute(f"set temp_directory = {_literal(str(path) + '.tmp')}")
    except duckdb.Error:
        con.close()
        raise
    return con


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open; a refused rollback is not the story."""
    with contextlib.suppress(duckdb.Error):
        con.execute("rollback")


def usable(con: duckdb.DuckDBPyConnection) -> bool:
    """False when the connection was invalidated (DuckDB refuses every statement)."""
    try:
        con.execute("select 1").fetchone()
    except duckdb.Error:
        return False
    return True


def memory_limit() -> str:
    """BEHAVIOR_DUCKDB_MEMORY_LIMIT (default 3GB), as profiles.yml reads it."""
    value = os.environ.get("BEHAVIOR_DUCKDB_MEMORY_LIMIT", "3GB").strip()
    if not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", value, flags=re.IGNORECASE):
        raise UserError(f"BEHAVIOR_DUCKDB_MEMORY_LIMIT={value!r}: expected a size such as 3GB")
    return value


def limit_resources(con: duckdb.DuckDBPyConnection, spill_to: Path | None = None) -> None:
    """The dbt profile's memory limit and 2 threads on `con`; with `spill_to`, DuckDB
    spills what passes the limit to that folder (an in-memory connection has none of
    its own)."""
    con.execute(f"set memory_limit = {_literal(memory_limit())}")
    con.execute("set threads = 2")
    if spill_to is not None:
        con.execute(f"set temp_directory = {_literal(str(spill_to))}")


def limit_reader(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """limit_resources on a read-only connection, spilling to a folder of its own
    (removed at exit): readers of one file in several processes never share one.
    Connections to one path in one process share a DuckDB instance, whose spill
    folder cannot change once used: a second reader keeps the first one's."""
    try:
        spill = _reader_spill(con)
        if spill is not None:
            atexit.register(shutil.rmtree, spill, ignore_errors=True)
        limit_resources(con, spill_to=spill)
    except BaseException:
        con.close()
        raise
    return con


def _reader_spill(con: duckdb.DuckDBPyConnection) -> Path | None:
    """A new spill folder for `con`'s instance, or None when it has one already."""
    (current,) = con.execute("select current_setting('temp_directory')").fetchone()
    if current and Path(current).name.startswith(SPILL_PREFIX):
        return None
    return Path(tempfile.mkdtemp(prefix=SPILL_PREFIX))


def open_private_reader(path: Path) -> duckdb.DuckDBPyConnection:
    """`path` read-only in a DuckDB instance of its own (attached to an in-memory one,
    under limit_reader): a long-lived process that keeps a connection open still sees
    a file replaced since (a plain connect to the same path returns the open instance,
    with the old file), and closing it with close_private_reader removes its spill
    folder."""
    return limit_reader(open_attached(path, read_only=True))


def close_private_reader(con: duckdb.DuckDBPyConnection) -> None:
    """Close a connection of open_private_reader and remove its spill folder now."""
    try:
        (spill,) = con.execute("select current_setting('temp_directory')").fetchone()
    except duckdb.Error:
        spill = None
    con.close()
    if spill and Path(spill).name.startswith(SPILL_PREFIX):
        shutil.rmtree(spill, ignore_errors=True)


def remove_leftover(path: Path) -> None:
    """Delete what a half-done rewrite of a file left: the copy, its WAL, or its
    spill folder (limit_resources' `spill_to`)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def has_relation(
    con: duckdb.DuckDBPyConnection, schema: str, name: str, catalog: str | None = None
) -> bool:
    """A table or view `schema.name` exists in the attached database `catalog` (any
    attached database when None)."""
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? "
            "and table_name = ? and (? is null or table_catalog = ?)",
            [schema, name, catalog, catalog],
        ).fetchone()[0]
    )


def require_warehouse(path: Path, option: str = "--database") -> None:
    """Raise UserError unless `path` is an existing DuckDB file (commands that read)."""
    if not path.exists():
        raise UserError(f"no warehouse at {option} {path}: run `make run` (or pass {option} FILE)")
    if path.is_dir():
        raise UserError(f"{option} {path} is a folder, not a DuckDB file")
    try:
        with path.open("rb") as handle:
            header = handle.read(MAGIC_OFFSET + len(DUCKDB_MAGIC))
    except OSError as exc:
        raise UserError(f"cannot read {option} {path}: {exc.strerror}") from None
    if header[MAGIC_OFFSET:] != DUCKDB_MAGIC:
        raise UserError(f"{option} {path} is not a DuckDB warehouse (no DuckDB header)")


@contextlib.contextmanager
def registered(con: duckdb.DuckDBPyConnection, name: str, data: object) -> Iterator[None]:
    """`data` (an Arrow table) as view `name` of `con` inside the block (module doc)."""
    con.complete()
    con.register(name, data)
    try:
        yield
    finally:
        con.complete()
        con.unregister(name)
