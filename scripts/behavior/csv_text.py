"""CSV that a spreadsheet opens: text it would run as a formula is written as text.

Excel, LibreOffice and Google Sheets read a CSV cell that starts with `=`, `+`, `-`,
`@`, a tab or a carriage return as a formula (OWASP's "CSV injection"): a course
title or user id from raw data could then compute, link or call out when a manager
opens the file. Such text gets a leading apostrophe, which the spreadsheets show as
the text itself. Numbers, dates and other typed values are written as they are (a
negative number stays a number); JSON and Parquet outputs, read by programs, are
not changed.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    """`value`, with a leading apostrophe when it is text a spreadsheet would read as
    a formula; any other value unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def frame_csv(frame) -> bytes:
    """A pandas DataFrame as UTF-8 CSV bytes (no index), its text cells as
    spreadsheet_text."""
    text = frame.select_dtypes(include=["object", "string"]).columns
    safe = frame.copy()
    safe[text] = safe[text].map(spreadsheet_text)
    return safe.to_csv(index=False).encode()


def arrow_table(table):
    """A pyarrow Table with spreadsheet_text applied to its text columns (for
    pyarrow's CSV writer; a query's answer, small enough for Python values)."""
    import pyarrow as pa

    columns = [
        pa.array([spreadsheet_text(v) for v in column.to_pylist()], type=column.type)
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type)
        else column
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)
