"""Split generated raw files into deliveries (batches) by arrival time.

Used by the benchmark (history + the last day) and by the incremental-equality test
(3-4 batches). Each raw table is cut on its watermark: `received_at` for event tables,
`updated_at` for users; catalog tables all go to the first batch. Batch i holds the
rows with cutoffs[i-1] <= watermark < cutoffs[i]; the last batch takes the rest, so it
carries the events that arrived late. Files keep the generator's row order, and each
batch is a folder of `<table>.parquet` files that `behavior load` maps by name.

With `resend_duplicates`, a repeated copy of a row (same key, later in the file) goes to
the batch after its original's (or its own, if later): a re-send that arrives with
the next delivery, so later batches also carry duplicates of earlier ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import duckdb

from behavior.contract import CATALOG_TABLES, TABLES

WATERMARK = {name: "received_at" for name, table in TABLES.items() if table.is_event}
WATERMARK["users"] = "updated_at"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def batch_expression(column: str, cutoffs: Sequence[datetime]) -> str:
    """SQL for the 0-based batch of a row given its watermark column."""
    if not cutoffs:
        return "0"
    branches = " ".join(
        f"when {_ident(column)} < timestamp {_literal(cut.isoformat(sep=' '))} then {i}"
        for i, cut in enumerate(cutoffs)
    )
    return f"case {branches} else {len(cutoffs)} end"


def _batched_rows_sql(table: str, path: Path, cutoffs: Sequence[datetime], resend: bool) -> str:
    """Rows of one file with their batch (`_batch`) and file order (`_row`)."""
    source = f"read_parquet({_literal(str(path))}, file_row_number = true)"
    if table in CATALOG_TABLES:
        return f"select *, 0 as _batch, file_row_number as _row from {source}"
    own = batch_expression(WATERMARK[table], cutoffs)
    if not resend:
        return f"select *, {own} as _batch, file_row_number as _row from {source}"
    keys = ", ".join(_ident(k) for k in TABLES[table].key)
    last = len(cutoffs)
    return f"""
with numbered as (
    select
        *,
        {own} as _own_batch,
        file_row_number as _row,
        row_number() over (partition by {keys} order by file_row_number) as _copy,
        first_value({own}) over (
            partition by {keys} order by file_row_number
        ) as _first_batch
    from {source}
)
select
    * exclude (_own_batch, _copy, _first_batch),
    case
        when _copy > 1 then greatest(_own_batch, least(_first_batch + 1, {last}))
        else _own_batch
    end as _batch
from numbered
"""


def split_raw(
    source_dir: Path,
    out_dirs: Sequence[Path],
    cutoffs: Sequence[datetime],
    resend_duplicates: bool = False,
) -> dict[str, list[int]]:
    """Write `<out_dirs[i]>/<table>.parquet` for every raw table found in `source_dir`.

    `cutoffs` has len(out_dirs) - 1 increasing timestamps. Returns rows per batch per
    table. Tables without a `<table>.parquet` in `source_dir` are skipped.
    """
    if len(cutoffs) != len(out_dirs) - 1:
        raise ValueError("need one cutoff fewer than output folders")
    if list(cutoffs) != sorted(cutoffs):
        raise ValueError("cutoffs must increase")
    for out in out_dirs:
        Path(out).mkdir(parents=True, exist_ok=True)
    counts: dict[str, list[int]] = {}
    con = duckdb.connect()
    try:
        con.execute("set TimeZone = 'UTC'")
        for table in TABLES:
            path = Path(source_dir) / f"{table}.parquet"
            if not path.exists():
                continue
            rows_sql = _batched_rows_sql(table, path, cutoffs, resend_duplicates)
            con.execute(f"create or replace temp table batched as {rows_sql}")
            counts[table] = []
            for i, out in enumerate(out_dirs):
                target = _literal(str(Path(out) / f"{table}.parquet"))
                con.execute(
                    "copy (select * exclude (file_row_number, _batch, _row) from batched "
                    f"where _batch = {i} order by _row) to {target} (format parquet)"
                )
                (n,) = con.execute(f"select count(*) from batched where _batch = {i}").fetchone()
                counts[table].append(int(n))
            con.execute("drop table batched")
    finally:
        con.close()
    return counts
