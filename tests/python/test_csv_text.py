"""CSV outputs a spreadsheet opens (`behavior insight --out X.csv`, the dashboard's
download): text that a spreadsheet would run as a formula gets a leading apostrophe;
numbers, dates and plain text are written as they are."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pandas as pd

from behavior.csv_text import frame_csv, spreadsheet_text
from behavior.insights.common import InsightResult, write_result

HOSTILE = ['=HYPERLINK("http://x.example","open")', "+1+2", "-5 tips", "@SUM(A1)", "\tx", "\rx"]


def test_text_starting_a_formula_gets_an_apostrophe():
    assert [spreadsheet_text(v) for v in HOSTILE] == [
        '\'=HYPERLINK("http://x.example","open")',
        "'+1+2",
        "'-5 tips",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
    ]
    # text that starts otherwise, and every value that is not text, stay as they are
    assert [spreadsheet_text(v) for v in ["Intro to SQL", "a=b", "", -5, -2.5, None]] == [
        "Intro to SQL",
        "a=b",
        "",
        -5,
        -2.5,
        None,
    ]


def _read(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_dashboard_download_writes_formula_text_as_text():
    frame = pd.DataFrame(
        {
            "user_id": ["=1+1", "u2"],
            "title": ["-5 tips", None],
            "net_usd": [-5.0, 10.0],
            "day": pd.to_datetime(["2026-09-01", "2026-09-02"]),
        }
    )
    rows = _read(frame_csv(frame).decode())
    assert rows == [
        ["user_id", "title", "net_usd", "day"],
        ["'=1+1", "'-5 tips", "-5.0", "2026-09-01"],
        ["u2", "", "10.0", "2026-09-02"],
    ]


def test_an_insight_written_as_csv_writes_formula_text_as_text(tmp_path):
    result = InsightResult(
        ["course_title", "users_count", "change", "day"],
        [(HOSTILE[0], 3, -2, dt.date(2026, 9, 1)), ("SQL basics", 1, 0, dt.date(2026, 9, 2))],
    )
    out = tmp_path / "answer.csv"
    write_result(result, out)
    assert _read(out.read_text(encoding="utf-8")) == [
        ["course_title", "users_count", "change", "day"],
        ['\'=HYPERLINK("http://x.example","open")', "3", "-2", "2026-09-01"],
        ["SQL basics", "1", "0", "2026-09-02"],
    ]


def test_a_metrics_query_written_as_csv_writes_formula_text_as_text(tmp_path):
    import pyarrow as pa

    from behavior.metrics import write_table

    table = pa.table(
        {
            "user__country_code": pa.array(["@X", "DE", None]),
            "course__title": pa.array(["+1", "=2", "-"], type=pa.large_string()),
            "revenue": pa.array([-1.5, 2.0, 0.0]),
        }
    )
    out = tmp_path / "metrics.csv"
    write_table(table, out)
    assert _read(out.read_text(encoding="utf-8")) == [
        ["user__country_code", "course__title", "revenue"],
        ["'@X", "'+1", "-1.5"],
        ["DE", "'=2", "2"],
        ["", "'-", "0"],
    ]
