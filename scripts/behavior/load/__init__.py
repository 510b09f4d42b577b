"""`behavior load`: bring CSV, Parquet and JSON Lines files into the `raw` schema.

How a file finds its table: by its stem (`users.csv`), or, for part files, by its
parent folder (`user_purchases/part-00003.parquet`, skipping Hive `key=value`
folders); a `_<suffix>` after the table name is allowed (`quiz_attempts_2026-09-01.jsonl`)
and the longest matching contract table name wins.

Decisions (see also `behavior.load.sql` for the validation rules):
- One DuckDB transaction per file: raw insert, quarantine insert and the audit row in
  `raw._load_files` commit together, so a crash leaves the warehouse as it was before
  that file and a rerun finishes the job.
- A row gets the first failing rule as its reason; invalid rows go to
  `raw.<table>__quarantine` with the original row as JSON text.
- Blank values (null, empty or only whitespace) count as missing and are stored as
  null; other values are stored as given (enum casing is normalized in staging).
  Timestamps with an offset are converted to UTC.
- Valid rows whose key already is in `raw.<table>`, or repeats an earlier valid row of
  the same file, are duplicates and skipped: the first loaded wins, so loading the
  same file twice changes nothing. Invalid rows count as quarantined on every load,
  but are stored once per (file_sha256, source_row).
- Duplicates whose content differs from the stored copy (conflicts), user versions that
  change a sign-up or first install, and loud duplicate warnings with exit code 3:
  see `behavior.load.conflicts`.
- A file unreadable as a whole (unsupported type, no matching table, not parseable,
  missing contract columns, a column named twice) is rejected: recorded in
  `raw._load_files`, one line on stderr, and the loader goes on with the other files,
  then exits 1. For JSON only the required keys must appear (JSON writers omit null
  keys); CSV and Parquet files must have every contract column. Extra columns are
  ignored and reported once per table.
- Load order: catalog tables, then users, then event tables, so references resolve.
- Personal data (behavior.pseudonymize): a users file's e-mail and phone never enter
  the warehouse. raw.users stores contact_key (HMAC-SHA256 under the secret from
  $BEHAVIOR_PSEUDONYMIZATION_SECRET or $BEHAVIOR_PSEUDONYMIZATION_SECRET_FILE) and
  has_phone; the contacts go to <warehouse>.private.duckdb. No secret, no load, unless
  --demo-secret (the public demo secret, for generated test data).
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from behavior import pseudonymize, warehouse_file
from behavior.contract import CATALOG_TABLES, EVENT_TABLES, TABLES, Table
from behavior.errors import UserError
from behavior.load import conflicts as load_conflicts
from behavior.load import files as load_files
from behavior.load import rejects as load_rejects
from behavior.load import sql as load_sql
from behavior.progress import Progress

DATABASE_ENV = "BEHAVIOR_DUCKDB_PATH"
DEFAULT_DATABASE = Path("warehouse/behavior.duckdb")
# Test-only hook: sleep this long after the inserts and before COMMIT, for files whose
# name contains BEHAVIOR_LOAD_TEST_PAUSE_MATCH (all files when unset).
PAUSE_ENV = "BEHAVIOR_LOAD_TEST_PAUSE_SECONDS"
PAUSE_MATCH_ENV = "BEHAVIOR_LOAD_TEST_PAUSE_MATCH"
PAUSE_MARKER = "behavior load: test pause before commit:"

FORMATS = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".jsonl": "json",
    ".jsonl.gz": "json",
    ".ndjson": "json",
    ".ndjson.gz": "json",
    ".json": "json",
    ".json.gz": "json",
}
FORMAT_NAMES = {"csv": "CSV", "parquet": "Parquet", "json": "JSON"}
LOAD_ORDER = (*CATALOG_TABLES, "users", *EVENT_TABLES)
assert sorted(LOAD_ORDER) == sorted(TABLES), "every contract table needs a load position"

SOURCE_TABLE = "_behavior_source"
BAD_TABLE = "_behavior_bad_rows"
REPEATED_TABLE = "_behavior_repeated_keys"


@dataclass
class FileResult:
    """What happened to one file."""

    path: str
    table: str | None
    status: str  # "loaded" or "rejected"
    reason: str | None = None
    file_sha256: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    extra_columns: tuple[str, ...] = ()
    rows_conflicting: int = 0  # duplicates whose content differs (load_conflicts)
    seen_before: bool = False  # the same content was loaded by an earlier run
    min_received_at: datetime | None = None  # earliest received_at of the valid rows


@dataclass
class TableCounts:
    rows_read: int = 0
    rows_loaded: int = 0
    rows_duplicate: int = 0
    rows_quarantined: int = 0
    rows_conflicting: int = 0

    def add(self, result: FileResult) -> None:
        self.rows_read += result.rows_read
        self.rows_loaded += result.rows_loaded
        self.rows_duplicate += result.rows_duplicate
        self.rows_quarantined += result.rows_quarantined
        self.rows_conflicting += result.rows_conflicting


@dataclass
class LoadResult:
    """The outcome of one `load_paths` run."""

    load_id: str
    database: str
    files: list[FileResult] = field(default_factory=list)
    # Files and folders that could not be read: (path, reason); see behavior.load.files.
    skipped: list[tuple[Path, str]] = field(default_factory=list)

    @property
    def rejected(self) -> list[FileResult]:
        return [f for f in self.files if f.status == "rejected"]

    @property
    def tables(self) -> dict[str, TableCounts]:
        counts: dict[str, TableCounts] = {}
        for result in self.files:
            if result.status == "loaded" and result.table:
                counts.setdefault(result.table, TableCounts()).add(result)
        return dict(sorted(counts.items(), key=lambda item: LOAD_ORDER.index(item[0])))


class FileRejected(Exception):
    """A file that cannot be loaded as a whole; the message is the reason."""


# --- finding files -------------------------------------------------------------------


def resolve_paths(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Files named by PATH arguments: files, folders (recursively) or globs.

    Unreadable files and folders are left out here; `load_paths` reports them
    (behavior.load.files.discover).
    """
    return load_files.discover(paths)[0]


def file_format(path: Path) -> tuple[str, str] | None:
    """(format, stem) from the file name, or None for an unsupported type."""
    name = path.name.lower()
    for suffix in sorted(FORMATS, key=len, reverse=True):
        if name.endswith(suffix):
            return FORMATS[suffix], name[: -len(suffix)]
    return None


def _table_named(name: str) -> str | None:
    matches = [t for t in TABLES if name == t or name.startswith(t + "_")]
    return max(matches, key=len) if matches else None


def table_for(path: Path, stem: str) -> str | None:
    """The contract table a file belongs to: by stem, else by its parent folder."""
    table = _table_named(stem)
    if table:
        return table
    for parent in path.parents:
        if "=" in parent.name:  # Hive partition folder, e.g. event_date=2026-01-01
            continue
        return _table_named(parent.name.lower())
    return None


# --- loading -------------------------------------------------------------------------


def default_database() -> Path:
    return Path(os.environ.get(DATABASE_ENV) or DEFAULT_DATABASE)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return lines[0] if lines else type(exc).__name__


def _reader(path: Path, fmt: str) -> str:
    location = load_sql.literal(str(path))
    limit = load_rejects.max_line_bytes()  # a longer line is a reject (load_rejects)
    if fmt == "csv":
        return (
            f"read_csv({location}, all_varchar = true, header = true, "
            f"delim = ',', quote = '\"', escape = '\"', max_line_size = {limit})"
        )
    if fmt == "parquet":
        return f"read_parquet({location}, file_row_number = true)"
    return f"read_json_objects({location}, format = 'auto', maximum_object_size = {limit})"


@dataclass(frozen=True)
class _Source:
    """How to select a file: its SQL, its contract columns and its extra columns.

    CSV and JSON files are first copied into a temp table, outside the transaction,
    whose rowid (insertion order = file order) numbers the rows.
    """

    select_sql: str
    columns: dict[str, tuple[str, str]]
    extras: list[tuple[str, str]]
    rejects: list = field(default_factory=list)  # behavior.load.rejects.Reject lines


def _match_columns(
    table: Table, found: list[tuple[str, str]], required_only: bool
) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str]]]:
    by_name = {name.strip().lower(): (name, kind) for name, kind in found}
    columns = {c.name: by_name[c.name] for c in table.columns if c.name in by_name}
    needed = [c for c in table.columns if c.required or not required_only]
    missing = [c.name for c in needed if c.name not in columns]
    if missing:
        raise FileRejected(f"missing contract columns: {', '.join(missing)}")
    contract = set(table.column_names)
    extras = [(name, kind) for name, kind in found if name.strip().lower() not in contract]
    return columns, extras


def _inspect(con: duckdb.DuckDBPyConnection, path: Path, fmt: str, table: Table) -> _Source:
    """Read a file's columns (and, for JSON, the file itself) without loading rows."""
    reader = _reader(path, fmt)
    rejects: list = []
    if fmt != "json":
        repeated = load_rejects.repeated_names(load_rejects.header_names(path, fmt))
        if repeated:  # which of the two columns holds the value is not known
            raise FileRejected(f"column named twice in the header: {', '.join(repeated)}")
    try:
        if fmt == "json":
            row_expr = _json_into_source(con, path, reader, rejects)
            keys = con.execute(
                f"select distinct unnest(json_keys(json)) from {SOURCE_TABLE} "
                "where json_type(json) = 'OBJECT'"
            ).fetchall()
            rows = con.execute(f"select count(*) from {SOURCE_TABLE}").fetchone()
        elif fmt == "csv":
            return _csv_source(con, path, reader, table)
        else:
            described = con.execute(f"describe select * from {reader}").fetchall()
    except duckdb.Error as exc:
        raise FileRejected(f"cannot read as {FORMAT_NAMES[fmt]}: {_first_line(exc)}") from exc
    except load_rejects.HeaderError as exc:
        raise FileRejected(str(exc)) from exc
    row = load_sql.ROW_COLUMN
    if fmt == "json":
        found = [(key, "VARCHAR") for (key,) in sorted(keys)]
        empty = rows is None or rows[0] == 0
        columns, extras = (
            _match_columns(table, found, required_only=True) if not empty else ({}, [])
        )
        names = [name for name, _ in [*columns.values(), *extras]]
        return _Source(_json_select(row_expr, names), columns, extras, rejects)
    found = [(name, kind) for name, kind, *_ in described]
    if fmt == "parquet":
        found = [(name, kind) for name, kind in found if name != "file_row_number"]
        columns, extras = _match_columns(table, found, required_only=False)
        select_sql = f"select *, file_row_number + 1 as {row} from {reader}"
        return _Source(select_sql, columns, extras)
    raise AssertionError(f"unexpected format {fmt}")  # pragma: no cover


def _csv_source(con: duckdb.DuckDBPyConnection, path: Path, reader: str, table: Table) -> _Source:
    """CSV: DuckDB reads the file; when it cannot, it is read line by line
    (behavior.load.rejects) and its bad lines become rejects."""
    row = load_sql.ROW_COLUMN
    try:
        described = con.execute(f"describe select * from {reader}").fetchall()
        found = [(name, kind) for name, kind, *_ in described]
        columns, extras = _match_columns(table, found, required_only=False)
        con.execute(f"create or replace temp table {SOURCE_TABLE} as select * from {reader}")
        return _Source(f"select *, rowid + 1 as {row} from {SOURCE_TABLE}", columns, extras)
    except duckdb.Error:
        header, rejects = load_rejects.csv_source(con, path, SOURCE_TABLE)
    columns, extras = _match_columns(table, [(name, "VARCHAR") for name in header], False)
    return _Source(f"select * from {SOURCE_TABLE}", columns, extras, rejects)


def _json_select(row_expr: str, names: list[str]) -> str:
    """The JSON source as rows: each key's value as text (null when absent). One
    json_extract_string of a list of JSON pointers parses a line once for all its
    keys (`->>` per key parsed it once per key: 4x the time at 9 keys)."""
    row = load_sql.ROW_COLUMN
    if not names:
        return f"select {row_expr} as {row} from {SOURCE_TABLE}"
    pointers = ", ".join(
        load_sql.literal("/" + name.replace("~", "~0").replace("/", "~1")) for name in names
    )
    picks = [row] + [f"v[{i}] as {load_sql.ident(name)}" for i, name in enumerate(names, 1)]
    return (
        f"select {', '.join(picks)} from (select {row_expr} as {row}, "
        f"json_extract_string(json, [{pointers}]) as v from {SOURCE_TABLE})"
    )


# True for an object with a key written twice (case and surrounding spaces ignored, as
# columns are matched): `->>` would silently read the first value.
REPEATED_KEYS_SQL = (
    "len(json_keys(json)) <> len(list_distinct(list_transform(json_keys(json), "
    "lambda k: lower(regexp_replace(k, '^\\s+|\\s+$', '', 'g')))))"
)


def _json_into_source(
    con: duckdb.DuckDBPyConnection, path: Path, reader: str, rejects: list
) -> str:
    """JSON into the temp source table; returns the SQL of its row number.

    DuckDB reads the file; when it cannot, or some values are not objects, too long
    or repeat a key, the file is read line by line (behavior.load.rejects) and its
    bad lines become rejects.
    """
    try:
        con.execute(f"create or replace temp table {SOURCE_TABLE} as select json from {reader}")
        ((others,),) = con.execute(  # fetchall: a pending result blocks register()
            f"select count(*) from {SOURCE_TABLE} where json_type(json) <> 'OBJECT' "
            f"or strlen(json::VARCHAR) > {load_rejects.max_line_bytes()} "
            f"or {REPEATED_KEYS_SQL}"
        ).fetchall()
        if not others:
            return "rowid + 1"
    except duckdb.Error:
        pass
    rejects.extend(load_rejects.json_source(con, path, SOURCE_TABLE))
    return load_sql.ROW_COLUMN


def _pause_before_commit(path: Path) -> None:
    seconds = os.environ.get(PAUSE_ENV)
    if not seconds:
        return
    match = os.environ.get(PAUSE_MATCH_ENV)
    if match and match not in path.name:
        return
    print(f"{PAUSE_MARKER} {path}", flush=True)
    time.sleep(float(seconds))


def _audit(con: duckdb.DuckDBPyConnection, load_id: str, result: FileResult, started: datetime):
    con.execute(
        f"insert into {load_sql.AUDIT_TABLE} (load_id, source_file, file_sha256, table_name, "
        "status, reason, rows_read, rows_loaded, rows_duplicate, rows_quarantined, "
        "started_at, finished_at, rows_conflicting, min_received_at) "
        "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            result.path,
            result.file_sha256,
            result.table,
            result.status,
            result.reason,
            result.rows_read,
            result.rows_loaded,
            result.rows_duplicate,
            result.rows_quarantined,
            started,
            _now(),
            result.rows_conflicting,
            result.min_received_at,
        ],
    )


def _load_rows(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: _Source,
    result: FileResult,
    load_id: str,
    started: datetime,
    private: pseudonymize.PrivateContacts | None = None,
) -> None:
    """Validate and insert one file's rows; the caller owns the transaction.

    Three set-based passes: the invalid rows (small) into a temp table, the keys that
    repeat among the valid rows (small), then one insert of the new valid rows.
    """
    typed = load_sql.typed_source(table, source.select_sql, source.columns, source.extras)
    con.execute(f"create or replace temp table {BAD_TABLE} as {load_sql.bad_rows_query(typed)}")
    if table.name == "users":  # versions changing a sign-up join the quarantine
        con.execute(
            f"insert into {BAD_TABLE} {load_conflicts.immutable_violations_query(typed, BAD_TABLE)}"
        )
    (quarantined,) = con.execute(f"select count(*) from {BAD_TABLE}").fetchone()  # type: ignore[misc]
    bad_rows = BAD_TABLE if quarantined else None
    repeated_sql = load_sql.repeated_keys_query(typed, bad_rows)
    con.execute(f"create or replace temp table {REPEATED_TABLE} as {repeated_sql}")
    (repeated,) = con.execute(f"select count(*) from {REPEATED_TABLE}").fetchone()  # type: ignore[misc]
    (read,) = con.execute(f"select count(*) from ({source.select_sql})").fetchone()  # type: ignore[misc]
    (before,) = con.execute(f"select count(*) from raw.{table.name}").fetchone()  # type: ignore[misc]
    insert = load_sql.insert_valid_sql(
        typed, bad_rows, REPEATED_TABLE if repeated else None, check_existing=before > 0
    )
    (loaded,) = con.execute(insert).fetchone()  # type: ignore[misc]
    min_received_sql = load_sql.min_received_at_query(typed, bad_rows)
    if loaded and min_received_sql is not None:
        (result.min_received_at,) = con.execute(min_received_sql).fetchone()  # type: ignore[misc]
    if private is not None and table.pii_columns:  # contact data: to the private file
        private.store(con, typed, bad_rows)
    (after,) = con.execute(f"select count(*) from raw.{table.name}").fetchone()  # type: ignore[misc]
    con.execute(
        load_sql.insert_quarantine_sql(table, BAD_TABLE),
        [result.path, result.file_sha256, load_id, started, result.file_sha256],
    )
    duplicate = read - quarantined - loaded
    assert after - before == loaded and duplicate >= 0, "loader row accounting is off"
    assert read == loaded + duplicate + quarantined
    if duplicate:  # a conflict is a duplicate whose content differs from the stored copy
        result.rows_conflicting = load_conflicts.record_conflicts(
            con, typed, bad_rows, result.path, result.file_sha256, load_id, started
        )
        result.seen_before = load_conflicts.loaded_before(con, result.file_sha256, load_id)
    result.rows_read, result.rows_loaded = read, loaded
    result.rows_duplicate, result.rows_quarantined = duplicate, quarantined


def _load_file(
    con: duckdb.DuckDBPyConnection,
    path: Path,
    load_id: str,
    private: pseudonymize.PrivateContacts | None = None,
) -> FileResult:
    started = _now()
    result = FileResult(path=str(path), table=None, status="rejected")
    try:
        result.file_sha256 = _sha256(path)
        detected = file_format(path)
        if detected is None:
            kinds = ", ".join(sorted(FORMATS))
            raise FileRejected(f"unsupported file type (expected one of {kinds})")
        fmt, stem = detected
        result.table = table_for(path, stem)
        if result.table is None:
            raise FileRejected(
                f"no contract table matches '{stem}' or its folder (tables: {', '.join(TABLES)})"
            )
        table = TABLES[result.table]
        source = _inspect(con, path, fmt, table)
        result.extra_columns = tuple(name for name, _ in source.extras)
        con.execute("begin transaction")
        try:
            _load_rows(con, table, source, result, load_id, started, private)
            load_rejects.store(con, table, source.rejects, result, load_id, started)
            result.status = "loaded"
            if result.extra_columns:
                result.reason = f"extra columns ignored: {', '.join(result.extra_columns)}"
            _audit(con, load_id, result, started)
            _pause_before_commit(path)
            con.execute("commit")
        except duckdb.Error as exc:
            # A failed COMMIT (full disk) already ended the transaction: the refused
            # rollback must not hide why (behavior.warehouse_file).
            warehouse_file.rollback_quietly(con)
            result.rows_read = result.rows_loaded = 0
            result.rows_duplicate = result.rows_quarantined = 0
            raise FileRejected(f"cannot load: {_first_line(exc)}") from exc
    except (FileRejected, OSError) as exc:
        result.status = "rejected"
        result.reason = str(exc) if isinstance(exc, FileRejected) else _first_line(exc)
        with contextlib.suppress(duckdb.Error):  # a full disk cannot take the audit row
            _audit(con, load_id, result, started)
    finally:
        with contextlib.suppress(duckdb.Error):
            for temp in (SOURCE_TABLE, BAD_TABLE, REPEATED_TABLE):
                con.execute(f"drop table if exists temp.{temp}")
    return result


def _sort_key(path: Path) -> tuple[int, str]:
    detected = file_format(path)
    table = table_for(path, detected[1]) if detected else None
    position = LOAD_ORDER.index(table) if table else len(LOAD_ORDER)
    return position, str(path)


def connect(database: str | os.PathLike[str]) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, creating its folder and the raw tables when missing."""
    path = Path(database)
    warehouse_file.memory_limit()  # a bad value stops before the file is touched
    warehouse_file.check_database(path)
    try:
        # attached under a fixed alias: a file named raw.duckdb must work
        con = warehouse_file.open_attached(path)
    except duckdb.Error as exc:
        raise UserError(f"cannot open {path}: {_first_line(exc)}") from exc
    con.execute("set TimeZone = 'UTC'")
    # The same limits as the dbt profile (profiles.yml): on a 2-core machine with a
    # memory budget, a 100M-row load peaked at 5.5 GB under DuckDB's default (80 % of
    # RAM); with a limit DuckDB spills to <database>.tmp instead.
    warehouse_file.limit_resources(con)
    for statement in load_sql.setup_statements() + load_conflicts.setup_statements():
        con.execute(statement)
    return con


def load_paths(
    paths: Iterable[str | os.PathLike[str]],
    database: str | os.PathLike[str] | None = None,
    echo: Callable[[FileResult], None] | None = None,
    demo_secret: bool = False,
    starting: Callable[[Path, int, int], None] | None = None,
) -> LoadResult:
    """Load files into the raw tables of `database`; `echo` sees each file's result.

    Contact keys use the secret from the environment, or the public demo secret when
    `demo_secret` (behavior.pseudonymize); e-mail and phone go to the private file.
    """
    secret = pseudonymize.secret_from_env(demo=demo_secret)
    load_rejects.max_line_bytes()  # a bad BEHAVIOR_LOAD_MAX_LINE_BYTES stops before any file
    found, skipped = load_files.discover(paths)
    files = sorted(found, key=_sort_key)
    database_path = Path(database) if database is not None else default_database()
    result = LoadResult(load_id=uuid.uuid4().hex, database=str(database_path), skipped=skipped)
    con = connect(database_path)
    private = pseudonymize.PrivateContacts(pseudonymize.private_database(database_path))
    try:
        pseudonymize.prepare_warehouse(con, secret, demo_secret)
        for number, path in enumerate(files, start=1):
            if starting:
                starting(path, number, len(files))
            file_result = _load_file(con, path, result.load_id, private)
            result.files.append(file_result)
            if echo:
                echo(file_result)
            if not warehouse_file.usable(con):
                raise UserError(
                    f"the warehouse {database_path} stopped accepting writes at {path} "
                    f"({file_result.reason}); it holds the files committed before it"
                )
    finally:
        private.close()
        try:
            con.close()
        except duckdb.Error as exc:
            raise UserError(f"cannot close {database_path}: {_first_line(exc)}") from None
    return result


# --- command line --------------------------------------------------------------------


def _counts(item: FileResult | TableCounts) -> str:
    return (
        f"read {item.rows_read}, loaded {item.rows_loaded}, "
        f"duplicate {item.rows_duplicate} (conflicting {item.rows_conflicting}), "
        f"quarantined {item.rows_quarantined}"
    )


def _run(args: argparse.Namespace) -> int:
    noted: set[tuple[str, tuple[str, ...]]] = set()
    warnings: list[load_conflicts.DuplicateNotice] = []

    def echo(file_result: FileResult) -> None:
        if file_result.status == "rejected":
            print(
                f"behavior load: rejected {file_result.path}: {file_result.reason}", file=sys.stderr
            )
            return
        if not args.quiet:
            print(f"loaded {file_result.path} -> raw.{file_result.table}: {_counts(file_result)}")
        for notice in load_conflicts.notices(
            file_result.path, file_result.table or "", file_result.rows_loaded,
            file_result.rows_duplicate, file_result.rows_conflicting, file_result.seen_before,
            args.warn_duplicate_share,
        ):  # fmt: skip
            print(f"{notice.level}: {notice.message}", file=sys.stderr)
            if notice.level == "WARNING":
                warnings.append(notice)
        extras = (file_result.table or "", file_result.extra_columns)
        if file_result.extra_columns and extras not in noted and not args.quiet:
            noted.add(extras)
            print(
                f"note: extra columns ignored for raw.{file_result.table}: "
                f"{', '.join(file_result.extra_columns)}"
            )

    # Progress on stderr only at a terminal (or --progress): piped, stderr stays errors only.
    progress = Progress(
        quiet=args.quiet or not (args.progress or sys.stderr.isatty()), prefix="behavior load"
    )

    def starting(path: Path, number: int, total: int) -> None:
        progress.step(f"loading {path} ({number}/{total})")

    result = load_paths(
        args.paths, args.database, echo=echo, demo_secret=args.demo_secret, starting=starting
    )
    progress.done(f"{len(result.files)} files")
    for path, reason in result.skipped:
        print(f"behavior load: skipped {path}: {reason}", file=sys.stderr)
    header = f"{'table':<32}{'read':>12}{'loaded':>12}{'duplicate':>12}{'quarantined':>12}"
    print(header + f"{'conflicting':>12}")
    for name, counts in result.tables.items():
        print(
            f"{'raw.' + name:<32}{counts.rows_read:>12}{counts.rows_loaded:>12}"
            f"{counts.rows_duplicate:>12}{counts.rows_quarantined:>12}"
            f"{counts.rows_conflicting:>12}"
        )
    for notice in warnings:  # repeated under the table, so the summary shows them
        print(f"WARNING: {notice.message}")
    if result.rejected:
        print(
            f"behavior load: {len(result.rejected)} of {len(result.files)} files rejected "
            f"(see {load_sql.AUDIT_TABLE} in {result.database})",
            file=sys.stderr,
        )
        return 1
    if result.skipped:
        print(
            f"behavior load: {len(result.skipped)} files or folders skipped (unreadable)",
            file=sys.stderr,
        )
        return 1
    if any(notice.nothing_new for notice in warnings):
        return load_conflicts.EXIT_NOTHING_NEW
    return 0


def register(subparsers: argparse._SubParsersAction, name: str) -> None:
    parser = subparsers.add_parser(name)
    parser.add_argument("paths", nargs="+", metavar="PATH", help="file, folder or glob")
    parser.add_argument(
        "--database",
        help=f"DuckDB file (default: ${DATABASE_ENV}, else {DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--warn-duplicate-share",
        type=_share,
        default=load_conflicts.DEFAULT_WARN_SHARE,
        help="warn about a user or event file whose valid rows are more than this share "
        f"duplicates (default {load_conflicts.DEFAULT_WARN_SHARE}); a file never loaded "
        f"before whose rows are all duplicates exits {load_conflicts.EXIT_NOTHING_NEW}",
    )
    parser.add_argument(
        "--demo-secret",
        action="store_true",
        help="key contacts with the public demo secret (generated test data only); "
        f"otherwise ${pseudonymize.SECRET_ENV} or ${pseudonymize.SECRET_FILE_ENV} is required",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no per-file lines and no progress: the summary table, warnings and errors only",
    )
    parser.add_argument(
        "--progress",
        action="store_true",
        help="progress lines on stderr even when it is not a terminal (default: only at one)",
    )
    parser.set_defaults(func=_run)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a share between 0 and 1, got {text!r}")
    return value
