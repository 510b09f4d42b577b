"""Vectorized text building for the generator: ids, timestamps, JSON lists, output files.

Everything here works on whole arrays (numpy in, pyarrow out) so the generator never
loops over rows in Python. Nested columns are built from lookup tables of JSON
fragments, joined per element with `binary_join_element_wise` and per row with a
list array and `binary_join`.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from behavior import contract

SECONDS_PER_DAY = 86_400
FORMATS = ("parquet", "csv", "jsonl")

_ARROW_TYPES = {
    "VARCHAR": pa.string(),
    "TIMESTAMP": pa.timestamp("s"),
    "INTEGER": pa.int32(),
    "DOUBLE": pa.float64(),
    "DECIMAL(12,2)": pa.decimal128(12, 2),
    "BOOLEAN": pa.bool_(),
}


def arrow_schema(
    table: contract.Table, text_columns: frozenset[str] = frozenset(), stored: bool = False
) -> pa.Schema:
    """Arrow schema for a raw table; `text_columns` are written as strings (malformed text).

    `stored`: the columns of raw.<table> (contact key instead of e-mail and phone),
    as the embedded sample holds them; else the columns a file carries.
    """
    columns = table.stored_columns if stored else table.columns
    return pa.schema(
        [
            pa.field(c.name, pa.string() if c.name in text_columns else _ARROW_TYPES[c.type])
            for c in columns
        ]
    )


def ids(prefix: str, start: int, n: int, width: int) -> pa.Array:
    """Sequential string ids like `s0000000042`."""
    numbers = pc.cast(pa.array(np.arange(start, start + n, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def labels(values: tuple[str, ...] | list[str], codes: np.ndarray) -> pa.Array:
    """Strings for integer codes; a negative code gives null."""
    codes = np.asarray(codes)
    index = pa.array(np.where(codes < 0, 0, codes).astype(np.int32), mask=codes < 0)
    return pa.array(list(values), pa.string()).take(index)


def timestamps(secs: np.ndarray, null: np.ndarray | None = None) -> pa.Array:
    """TIMESTAMP(s) array from epoch seconds; `null` marks missing values."""
    return pa.array(np.asarray(secs, dtype=np.int64), pa.timestamp("s"), mask=null)


def money(cents: np.ndarray) -> pa.Array:
    """DECIMAL(12,2) from integer cents."""
    return pa.array(np.asarray(cents, dtype=np.float64) / 100.0).cast(
        pa.decimal128(12, 2), safe=False
    )


@cache
def _time_table(sep: str, suffix: str) -> pa.Array:
    return pa.array(
        [
            f"{sep}{h:02d}:{m:02d}:{s:02d}{suffix}"
            for h in range(24)
            for m in range(60)
            for s in range(60)
        ]
    )


def _date_table(first_day: int, last_day: int, prefix: str) -> pa.Array:
    days = np.arange(first_day, last_day + 1, dtype="int64").astype("datetime64[D]")
    return pa.array([prefix + str(d) for d in days.tolist()])


def format_ts(
    secs: np.ndarray, sep: str = " ", prefix: str = "", suffix: str = "", null=None
) -> pa.Array:
    """Format epoch seconds as `<prefix>YYYY-MM-DD<sep>HH:MM:SS<suffix>` (fast lookups)."""
    secs = np.asarray(secs, dtype=np.int64)
    if len(secs) == 0:
        return pa.array([], pa.string())
    day = secs // SECONDS_PER_DAY
    first = int(day.min())
    dates = _date_table(first, int(day.max()), prefix).take(pa.array(day - first))
    times = _time_table(sep, suffix).take(pa.array(secs - day * SECONDS_PER_DAY))
    out = pc.binary_join_element_wise(dates, times, "")
    if null is not None and np.any(null):
        out = pc.if_else(pa.array(np.asarray(null)), pa.scalar(None, pa.string()), out)
    return out


def json_lists(counts: np.ndarray, elements: pa.Array) -> pa.Array:
    """One JSON list text per row from flat JSON element texts and per-row counts."""
    offsets = np.zeros(len(counts) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), elements), ",")
    return pc.binary_join_element_wise("[", joined, "]", "")


def string_elements(names: tuple[str, ...], codes: np.ndarray) -> pa.Array:
    """JSON string literals (`"quiz"`) for codes into `names`."""
    return labels(tuple(json.dumps(n) for n in names), codes)


# ----------------------------------------------------------------------------- writers


def _escape(values: pa.Array) -> pa.Array:
    values = pc.replace_substring(values, "\\", "\\\\")
    return pc.replace_substring(values, '"', '\\"')


def jsonl_lines(table: pa.Table) -> pa.Array:
    """One JSON object text (with newline) per row; timestamps as `YYYY-MM-DD HH:MM:SS`."""
    parts: list = []
    for i, name in enumerate(table.column_names):
        col = table.column(name).combine_chunks()
        key = ("{" if i == 0 else ",") + json.dumps(name) + ":"
        if pa.types.is_timestamp(col.type):
            secs = pc.cast(col, pa.int64()).to_numpy(zero_copy_only=False)
            null = np.asarray(col.is_null())
            text = format_ts(np.where(null, 0, secs), prefix='"', suffix='"', null=null)
        elif pa.types.is_string(col.type):
            text = pc.binary_join_element_wise('"', _escape(col), '"', "")
        else:
            text = pc.cast(col, pa.string())
        parts += [key, pc.fill_null(text, "null")]
    return pc.binary_join_element_wise(*parts, "}\n", "")


class TableWriter:
    """Appends chunks of one raw table to `<dir>/<table>.<ext>`."""

    def __init__(self, out_dir: Path, table: contract.Table, fmt: str, schema: pa.Schema):
        self.path = out_dir / f"{table.name}.{fmt}"
        self.schema = schema
        self.fmt = fmt
        self.rows = 0
        if fmt == "parquet":
            self._writer = pq.ParquetWriter(self.path, schema, compression="zstd")
        elif fmt == "csv":
            self._writer = pa_csv.CSVWriter(self.path, schema)
        else:
            self._writer = open(self.path, "wb")  # noqa: SIM115 - closed in close()

    def write(self, table: pa.Table) -> None:
        table = table.select(self.schema.names).cast(self.schema)
        self.rows += table.num_rows
        if table.num_rows == 0:
            return
        if self.fmt == "jsonl":
            lines = jsonl_lines(table)
            offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
            start = int(offsets[lines.offset])
            end = int(offsets[lines.offset + len(lines)])
            self._writer.write(memoryview(lines.buffers()[2])[start:end])
        else:
            self._writer.write_table(table) if self.fmt == "parquet" else self._writer.write(table)

    def close(self) -> None:
        self._writer.close()


def write_delivery(out: Path, produce: Callable[[Path], dict]) -> dict:
    """Run `produce(folder)`, which writes the tables of a delivery into `folder` and
    returns its manifest (`files`: table -> file name), in a staging folder beside
    `out`; then move the files into `out` (replacing those tables' files in any
    format) and write `out/_manifest.json` last. A run that fails or is killed
    half-way leaves `out` as it was, never tables without their manifest (which a
    load would take as a delivery)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    work = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        manifest = produce(work)
        out.mkdir(parents=True, exist_ok=True)
        for name, file in manifest["files"].items():
            for ext in FORMATS:
                (out / f"{name}.{ext}").unlink(missing_ok=True)
            os.replace(work / file, out / file)
        (out / "_manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest
