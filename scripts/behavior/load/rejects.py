"""Line-level rejects: a CSV or JSON Lines file that DuckDB cannot read in one go.

The loader first reads a file with DuckDB (fast). When that read fails (one
non-UTF-8 byte, a ragged row, an unterminated quote, a line over the size limit, a
malformed JSON line) or a JSON file holds values that are not objects or repeat a
key, the file is read again here line by line: every bad line is kept as a `Reject`
(its line number, its raw text and the parser's reason) and the good lines become the
file's rows, so they load.

Decisions
- One record per physical line (values with line breaks inside quotes are not
  supported: the app's exports have none). A CSV's first line is its header; a
  bad header rejects the whole file.
- A UTF-8 byte-order mark before the first line is skipped, as DuckDB's readers do
  (it made a CSV header's first column unknown, rejecting the file, and a JSON Lines
  file's first line malformed).
- Row numbers (`source_row` in raw.<table>__quarantine) are the same as on the fast
  path: the data-row number for CSV (line number - 1) and the line number for
  JSON Lines. Blank lines are skipped and not counted.
- A rejected line is quarantined with reason `line <n>: <parser reason>` and its raw
  text as `record` (invalid bytes shown as \\xNN; an over-long line cut to its
  first BEHAVIOR_LOAD_MAX_LINE_BYTES bytes, default 2,000,000).
- A JSON object that writes a key twice (case and surrounding spaces ignored, as the
  loader matches columns) is rejected, reason `duplicated key: <key>`: DuckDB's `->>`
  reads the first value, a Python reader the last, and which the app meant is not known.
- A JSON document that is one array (`[{...}, {...}]`) is checked element by
  element: an element that is not an object, or repeats a key, is rejected with its
  JSON text (every pair as written).
- A table with personal data (users: e-mail, phone) keeps no raw text: its record
  is load_sql.WITHHELD, as for a quarantined row's pii columns, since a line's text
  cannot be split into columns to withhold only those; the file name and line
  number point to the original.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

import duckdb
import pyarrow as pa

from behavior import warehouse_file
from behavior.contract import Table
from behavior.errors import UserError
from behavior.load import sql as load_sql

MAX_LINE_ENV = "BEHAVIOR_LOAD_MAX_LINE_BYTES"
DEFAULT_MAX_LINE_BYTES = 2_000_000  # as DuckDB's read_csv max_line_size
ARROW_VIEW = "_behavior_rejects_arrow"
UTF8_BOM = b"\xef\xbb\xbf"


class HeaderError(Exception):
    """The file's header (CSV) or document (JSON) cannot be read; the file is rejected."""


@dataclass(frozen=True)
class Reject:
    row: int  # source_row
    line: int  # physical line number, 1-based
    text: str
    reason: str


def max_line_bytes() -> int:
    """BEHAVIOR_LOAD_MAX_LINE_BYTES, a whole number of at least 1, else the default;
    UserError for any other value (a typo must not silently mean the default)."""
    raw = os.environ.get(MAX_LINE_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_LINE_BYTES
    if not raw.isdigit() or int(raw) < 1:
        raise UserError(f"{MAX_LINE_ENV}={raw!r}: expected a whole number of bytes, at least 1")
    return int(raw)


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _lines(handle: IO[bytes], limit: int) -> Iterator[tuple[int, bytes, str | None]]:
    """(line number, bytes without the line break, reason or None) per physical line."""
    number = 0
    while True:
        chunk = handle.readline(limit + 2)
        if not chunk:
            return
        number += 1
        if number == 1:  # as DuckDB's readers: a byte-order mark is not data
            chunk = chunk.removeprefix(UTF8_BOM)
        reason = None
        if len(chunk) > limit + 1 or (len(chunk) > limit and not chunk.endswith(b"\n")):
            reason = f"line longer than {limit} bytes"
            rest = chunk
            while rest and not rest.endswith(b"\n"):
                rest = handle.readline(1 << 20)
            chunk = chunk[:limit]
        yield number, chunk.rstrip(b"\r\n"), reason


def _decode(data: bytes) -> tuple[str, str | None]:
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="backslashreplace")
        return text, f"invalid UTF-8 byte 0x{data[exc.start]:02x} at position {exc.start + 1}"


def _register(con: duckdb.DuckDBPyConnection, target: str, arrow: pa.Table, select: str) -> None:
    with warehouse_file.registered(con, ARROW_VIEW, arrow):
        con.execute(f"create or replace temp table {target} as select {select} from {ARROW_VIEW}")


def csv_source(con: duckdb.DuckDBPyConnection, path: Path, target: str) -> tuple[list, list]:
    """Create temp table `target` (header columns + _behavior_row) from the good lines.

    Returns (header names, rejects).
    """
    limit = max_line_bytes()
    header: list[str] | None = None
    rows: list[list[str]] = []
    numbers: list[int] = []
    rejects: list[Reject] = []
    with _open(path) as handle:
        for number, data, reason in _lines(handle, limit):
            text, bad_bytes = _decode(data)
            if header is None:
                if reason or bad_bytes:
                    raise HeaderError(f"unreadable CSV header: {reason or bad_bytes}")
                try:
                    header = next(csv.reader([text], strict=True))
                except (csv.Error, StopIteration) as exc:
                    raise HeaderError(f"unreadable CSV header: {exc}") from None
                continue
            if not reason and not bad_bytes and not text.strip():
                continue
            reason = reason or bad_bytes
            if reason is None:
                try:
                    fields = next(csv.reader([text], strict=True))
                except csv.Error as exc:
                    reason = f"CSV error: {exc}"
                else:
                    if len(fields) != len(header):
                        reason = f"expected {len(header)} fields, found {len(fields)}"
            if reason:
                rejects.append(Reject(number - 1, number, text, reason))
            else:
                rows.append(fields)
                numbers.append(number - 1)
    if header is None:
        raise HeaderError("empty CSV file (no header)")
    arrays = [pa.array([row[i] for row in rows], pa.string()) for i in range(len(header))]
    names = [f"c{i}" for i in range(len(header))]
    arrow = pa.table([*arrays, pa.array(numbers, pa.int64())], names=[*names, "n"])
    picks = [f"{name} as {load_sql.ident(h)}" for name, h in zip(names, header, strict=True)]
    _register(con, target, arrow, ", ".join([*picks, f"n as {load_sql.ROW_COLUMN}"]))
    return header, rejects


def repeated_names(names: list[str]) -> list[str]:
    """The names written more than once, compared as the loader matches columns
    (case and surrounding spaces ignored), in order of first repeat."""
    seen: set[str] = set()
    repeated: list[str] = []
    for name in names:
        key = name.strip().lower()
        if key in seen and key not in repeated:
            repeated.append(key)
        seen.add(key)
    return repeated


def header_names(path: Path, fmt: str) -> list[str]:
    """A CSV header's or Parquet schema's column names as written: DuckDB renames a
    repeated one (a second `event_id` reads as `event_id_1`). [] when the header
    cannot be read here (the loader's own read then says why)."""
    try:
        if fmt == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(path).names)
        with _open(path) as handle:
            first = handle.readline(max_line_bytes() + 2)
        text = first.decode("utf-8").lstrip("\ufeff").rstrip("\r\n")
        return next(csv.reader([text], strict=True), [])
    except (OSError, ValueError, csv.Error, pa.ArrowException):
        return []


class _Object(dict):
    """A parsed JSON object that remembers its (key, value) pairs as written: a
    repeated key keeps its last value in the dict, both in `pairs`."""

    pairs: list[tuple[str, object]]


def _object(pairs: list[tuple[str, object]]) -> _Object:
    value = _Object(pairs)
    value.pairs = pairs
    return value


def _parse(text: str | bytes) -> object:
    """Bytes as json.loads reads them: UTF-8 with or without a byte-order mark,
    UTF-16 or UTF-32."""
    return json.loads(text, parse_constant=_no_constants, object_pairs_hook=_object)


def _object_reason(value: object) -> str | None:
    """Why a JSON line's value cannot be a row: not an object, or a key written twice
    (which value is the row's is not known: DuckDB reads the first, Python the last)."""
    if not isinstance(value, _Object):
        kind = {list: "array", str: "string", bool: "boolean", type(None): "null"}
        return f"not a JSON object: {kind.get(type(value), 'number')}"
    repeated = repeated_names([key for key, _ in value.pairs])
    return f"duplicated key: {', '.join(repeated)}" if repeated else None


def _written(value: object) -> str:
    """JSON text of a parsed value with each object's pairs as written (repeats kept)."""
    if isinstance(value, _Object):
        pairs = (f"{json.dumps(k, ensure_ascii=False)}: {_written(v)}" for k, v in value.pairs)
        return "{" + ", ".join(pairs) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_written(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def json_source(con: duckdb.DuckDBPyConnection, path: Path, target: str) -> list[Reject]:
    """Create temp table `target` (_behavior_row, json) from the good lines; the rejects."""
    limit = max_line_bytes()
    texts: list[str] = []
    numbers: list[int] = []
    rejects: list[Reject] = []
    with _open(path) as handle:
        first = handle.read(4096).removeprefix(UTF8_BOM).lstrip()
    if first.startswith(b"["):
        _json_document(path, texts, numbers, rejects)
    else:
        with _open(path) as handle:
            for number, data, reason in _lines(handle, limit):
                text, bad_bytes = _decode(data)
                if not reason and not bad_bytes and not text.strip():
                    continue
                reason = reason or bad_bytes
                if reason is None:
                    try:
                        reason = _object_reason(_parse(text))
                    except ValueError as exc:
                        reason = f"malformed JSON: {exc}"
                if reason:
                    rejects.append(Reject(number, number, text, reason))
                else:
                    texts.append(text)
                    numbers.append(number)
    arrow = pa.table(
        [pa.array(numbers, pa.int64()), pa.array(texts, pa.string())], names=["n", "j"]
    )
    _register(con, target, arrow, f"n as {load_sql.ROW_COLUMN}, j::JSON as json")
    return rejects


def _json_document(path: Path, texts: list, numbers: list, rejects: list) -> None:
    try:
        with _open(path) as handle:
            document = _parse(handle.read())
    except (ValueError, UnicodeDecodeError) as exc:
        raise HeaderError(f"malformed JSON document: {exc}") from None
    if type(document) is not list:
        raise HeaderError("a JSON document must be one array of objects")
    for index, value in enumerate(document, start=1):
        text = _written(value)
        reason = _object_reason(value)
        if reason:
            rejects.append(Reject(index, index, text, reason))
        else:
            texts.append(text)
            numbers.append(index)


def store(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    rejects: list[Reject],
    result,
    load_id: str,
    started: datetime,
) -> None:
    """Quarantine the rejected lines of one file (in the caller's transaction).

    Like other quarantined rows, a line is stored once per (file_sha256, source_row)
    but counted as read and quarantined on every load.
    """
    if not rejects:
        return
    arrow = pa.table(
        {
            "row": pa.array([r.row for r in rejects], pa.int64()),
            "reason": pa.array([f"line {r.line}: {r.reason}" for r in rejects], pa.string()),
            "record": pa.array(
                [load_sql.WITHHELD if table.pii_columns else r.text for r in rejects],
                pa.string(),
            ),
        }
    )
    quarantine = load_sql.quarantine_table(table)
    with warehouse_file.registered(con, ARROW_VIEW, arrow):
        con.execute(
            f"""
            insert into {quarantine}
                (source_file, source_row, reason, record, file_sha256, load_id, quarantined_at)
            select ?, row, reason, record, ?, ?, ?
            from {ARROW_VIEW} as rejected
            where not exists (
                select 1 from {quarantine} as done
                where done.file_sha256 = ? and done.source_row = rejected.row
            )
            """,
            [result.path, result.file_sha256, load_id, started, result.file_sha256],
        )
    result.rows_read += len(rejects)
    result.rows_quarantined += len(rejects)
