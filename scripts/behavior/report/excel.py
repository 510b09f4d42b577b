"""The Excel workbook of the daily MIS report, for analysts: every data sheet is an
Excel table (filters, banded rows) with number, percent, currency and date formats, a
frozen header, conditional formatting on anomalies and flagged rows, and native charts
on the area sheets."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from behavior.report import kpis as k
from behavior.report.data import COMPLETE_DAY, PendingData, ReportData

KPI_COLUMNS = (
    "kpi_name",
    "area",
    "kpi_unit",
    "value",
    "previous_day_value",
    "same_weekday_last_week_value",
    "trailing_28d_avg",
    "change_vs_previous_day",
    "delta_vs_previous_day",
    "delta_vs_last_week",
    "delta_vs_trailing_28d",
    "robust_z",
    "is_anomaly",
    "anomaly_direction",
    "is_unfavorable_anomaly",
)
# Columns holding the KPI's own unit (formatted per row by kpi_unit).
KPI_VALUE_COLUMNS = {
    "value",
    "previous_day_value",
    "same_weekday_last_week_value",
    "trailing_28d_avg",
    "change_vs_previous_day",
}
FINDING_COLUMNS = (
    "change_status",
    "severity",
    "area",
    "detector",
    "entity_type",
    "entity_id",
    "entity_name",
    "breakdown",
    "finding",
    "recommended_action",
    "metric",
    "value",
    "baseline",
    "effect_size",
    "sample_size",
    "test_statistic",
    "p_value",
    "contact_key",
    "finding_id",
)
NUMBER_FORMATS = {
    "count": "#,##0",
    "rate": "0.0%",
    "usd": '"$"#,##0.00',
    "seconds": "#,##0",
    "decimal": "#,##0.000",
    "date": "yyyy-mm-dd",
    "p": "0.0000",
    "text": "@",
}


def column_kind(name: str) -> str:
    """How a column is formatted, from its name (the house naming rules)."""
    if name.endswith("_date") or name == "report_date":
        return "date"
    if name.endswith(("_rate", "_share")) or name.startswith(("delta_", "share_")):
        return "rate"
    if name.endswith("_usd"):
        return "usd"
    if name.endswith(("_count", "_rank", "_size")) or name in {
        "attempts",
        "failed",
        "step_number",
        "period_offset",
        "period_days",
    }:
        return "count"
    if name == "p_value":
        return "p"
    return "decimal"


def _cell(value: object) -> object:
    """A value xlsxwriter writes natively: None for nulls, Python scalars, datetimes."""
    if k.is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, dt.date | dt.datetime | bool | int | float | str):
        return value
    return str(value)


class Book:
    """An xlsxwriter workbook with the report's formats and table helper."""

    def __init__(self, path: Path) -> None:
        # Text from the data (a course title, a screen name another writer stored) is
        # written as text: one starting with '=' is not a formula, one that looks like
        # a URL is not a link (xlsxwriter's defaults turn both into live cells).
        self.book = xlsxwriter.Workbook(
            str(path),
            {"remove_timezone": True, "strings_to_formulas": False, "strings_to_urls": False},
        )
        self.formats = {
            kind: self.book.add_format({"num_format": fmt}) for kind, fmt in NUMBER_FORMATS.items()
        }
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.note = self.book.add_format({"italic": True, "font_color": "#6B7280"})
        self.banner = self.book.add_format(
            {"bold": True, "font_color": "#991B1B", "bg_color": "#FEF2F2"}
        )
        self.bad = self.book.add_format({"bg_color": "#FEE2E2", "font_color": "#991B1B"})
        self.warn = self.book.add_format({"bg_color": "#FEF3C7", "font_color": "#92400E"})
        self.good = self.book.add_format({"bg_color": "#DCFCE7", "font_color": "#166534"})
        self.names: set[str] = set()

    def sheet(self, name: str, title: str | None = None, notes: tuple[str, ...] = ()):
        """A worksheet with an optional title and notes above its table; returns
        (sheet, first free row)."""
        sheet = self.book.add_worksheet(name)
        row = 0
        if title:
            sheet.write(row, 0, title, self.title)
            row += 1
        for note in notes:
            if note:
                sheet.write(row, 0, note, self.banner if note.startswith("WARNING") else self.note)
                row += 1
        return sheet, row + (1 if row else 0)

    def table(
        self,
        sheet,
        frame: pd.DataFrame,
        row: int,
        name: str,
        kinds: dict[str, str] | None = None,
        freeze: bool = True,
        col: int = 0,
    ) -> tuple[int, int]:
        """`frame` as an Excel table with filters at (row, col); returns (first data row,
        last data row). An empty frame still gets its header and one blank row."""
        kinds = kinds or {}
        table_name = re.sub(r"\W", "_", name)
        assert table_name not in self.names, table_name
        self.names.add(table_name)
        columns = []
        for column in frame.columns:
            kind = kinds.get(column)
            if kind is None:
                dtype = frame[column].dtype
                if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
                    kind = "text" if not pd.api.types.is_bool_dtype(dtype) else None
                elif pd.api.types.is_datetime64_any_dtype(dtype):
                    kind = "date"
                elif pd.api.types.is_numeric_dtype(dtype):
                    kind = column_kind(column)
                elif frame[column].map(lambda v: isinstance(v, dt.date)).any():
                    kind = "date"
            spec = {"header": column}
            if kind and kind != "text":
                spec["format"] = self.formats[kind]
            columns.append(spec)
        data = [[_cell(v) for v in values] for values in frame.itertuples(index=False)]
        if not data:
            data = [[None] * len(frame.columns)]
        last = row + len(data)
        sheet.add_table(
            row,
            col,
            last,
            col + len(frame.columns) - 1,
            {
                "name": table_name,
                "data": data,
                "columns": columns,
                "style": "Table Style Light 9",
            },
        )
        for i, column in enumerate(frame.columns):
            width = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
            sheet.set_column(col + i, col + i, min(max(width + 2, 10), 60))
        if freeze:
            sheet.freeze_panes(row + 1, 0)
        return row + 1, last

    def highlight(self, sheet, rows: tuple[int, int], width: int, formula: str, fmt) -> None:
        """Conditional format on the table's data rows where `formula` (for its first row)
        holds."""
        first, last = rows
        sheet.conditional_format(
            first, 0, last, width - 1, {"type": "formula", "criteria": formula, "format": fmt}
        )

    def close(self) -> None:
        self.book.close()


def _col(frame: pd.DataFrame, name: str) -> str:
    return xl_col_to_name(list(frame.columns).index(name))


def write_kpis(book: Book, data: ReportData, notes: tuple[str, ...]) -> None:
    sheet, row = book.sheet("KPIs", f"Daily MIS report {data.report_date}", notes)
    frame = data.kpis[list(KPI_COLUMNS)].copy()
    frame.insert(1, "kpi", [k.label(name) for name in frame["kpi_name"]])
    frame.insert(2, "is_headline", frame["kpi_name"].isin(k.HEADLINE))
    rows = book.table(sheet, frame, row, "KPIs", {"robust_z": "decimal"})
    # The KPI's own unit decides the format of its value columns, row by row.
    for offset, unit in enumerate(frame["kpi_unit"]):
        fmt = book.formats.get(unit, book.formats["decimal"])
        for column in KPI_VALUE_COLUMNS:
            c = list(frame.columns).index(column)
            value = _cell(frame.iloc[offset][column])
            if value is not None:
                sheet.write_number(rows[0] + offset, c, float(value), fmt)
    anomaly = _col(frame, "is_anomaly")
    bad = _col(frame, "is_unfavorable_anomaly")
    width = len(frame.columns)
    book.highlight(sheet, rows, width, f"=${bad}{rows[0] + 1}=TRUE", book.bad)
    book.highlight(sheet, rows, width, f"=${anomaly}{rows[0] + 1}=TRUE", book.good)
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 28)


def write_findings(book: Book, data: ReportData) -> None:
    sheet, row = book.sheet(
        "Findings",
        f"Findings {data.report_date}",
        ("change_status: new / ongoing / resolved vs the day before (daily detectors); "
         "not_tracked: whole-history detectors.",),
    )  # fmt: skip
    frames = [data.recommendations, data.resolved]
    frame = pd.concat([f for f in frames if len(f)] or [data.recommendations])
    frame = frame[list(FINDING_COLUMNS)]
    rows = book.table(sheet, frame, row, "Findings", {"value": "decimal", "baseline": "decimal"})
    severity = _col(frame, "severity")
    width = len(frame.columns)
    book.highlight(sheet, rows, width, f'=${severity}{rows[0] + 1}="high"', book.bad)
    book.highlight(sheet, rows, width, f'=${severity}{rows[0] + 1}="medium"', book.warn)
    sheet.set_column(8, 9, 70)


def write_trends(book: Book, data: ReportData, area: str) -> None:
    series = data.trends[data.trends["area"] == area]
    sheet, row = book.sheet(area.capitalize(), f"{area.capitalize()} KPIs, 28 days")
    if series.empty:
        book.table(sheet, pd.DataFrame({"report_date": []}), row, f"{area}_trends")
        return
    wide = series.pivot(index="report_date", columns="kpi_name", values="value")
    order = series.drop_duplicates("kpi_name").sort_values("kpi_order")
    wide = wide[list(order["kpi_name"])].reset_index()
    units = dict(zip(order["kpi_name"], order["kpi_unit"], strict=True))
    kinds = {name: units[name] for name in wide.columns[1:]}
    kinds["report_date"] = "date"
    first, last = book.table(sheet, wide, row, f"{area}_trends", kinds)
    flags = series.pivot(index="report_date", columns="kpi_name", values="is_anomaly")
    # Anomalous days in red (the KPI's robust z-score beyond the threshold).
    for r, day in enumerate(wide["report_date"]):
        for c, kpi in enumerate(wide.columns[1:], start=1):
            if bool(flags.loc[day, kpi]):
                sheet.conditional_format(
                    first + r, c, first + r, c, {"type": "no_blanks", "format": book.bad}
                )
    for i, kpi in enumerate(wide.columns[1:], start=1):
        chart = book.book.add_chart({"type": "line"})
        chart.add_series(
            {
                "name": k.label(kpi),
                "categories": [sheet.name, first, 0, last, 0],
                "values": [sheet.name, first, i, last, i],
                "line": {"width": 1.75},
            }
        )
        chart.set_title({"name": k.label(kpi), "name_font": {"size": 11}})
        chart.set_legend({"none": True})
        chart.set_x_axis({"date_axis": True, "num_format": "dd mmm"})
        chart.set_y_axis({"num_format": NUMBER_FORMATS.get(units[kpi], "General")})
        chart.set_size({"width": 420, "height": 220})
        col = len(wide.columns) + 1 + ((i - 1) % 2) * 7
        sheet.insert_chart(row + ((i - 1) // 2) * 12, col, chart)


def write_funnel(book: Book, data: ReportData) -> None:
    sheet, row = book.sheet(
        "Funnel",
        f"Purchase funnel, periods ending {data.report_date}",
        ("A funnel is one user x course, in a period when its click fell in it; a step "
         "counts when reached by the end of the report day.",),
    )  # fmt: skip
    frame = data.period_funnel
    first, last = book.table(sheet, frame, row, "Funnel", {"share_of_clicks": "rate"})
    if len(frame):
        steps = frame[frame["period_name"] == "28_days"]
        if len(steps):
            start = first + list(frame["period_name"]).index("28_days")
            end = start + len(steps) - 1
            c = list(frame.columns).index("funnels_count")
            s = list(frame.columns).index("step_name")
            chart = book.book.add_chart({"type": "bar"})
            chart.add_series(
                {
                    "name": "funnels, 28 days",
                    "categories": [sheet.name, start, s, end, s],
                    "values": [sheet.name, start, c, end, c],
                    "data_labels": {"value": True, "num_format": "#,##0"},
                }
            )
            chart.set_title({"name": "Purchase funnel, 28 days"})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"none": True})
            sheet.insert_chart(row, len(frame.columns) + 1, chart)
    courses, row = book.sheet(
        "Top courses", f"Top courses by users who clicked, {data.report_date}"
    )
    book.table(courses, data.period_courses, row, "Top_courses", {"click_to_paid_rate": "rate"})


def write_simple(
    book: Book, name: str, title: str, frame: pd.DataFrame, kinds: dict | None = None
) -> tuple:
    sheet, row = book.sheet(name, title)
    rows = book.table(sheet, frame, row, name, kinds)
    return sheet, rows


def write_data_quality(book: Book, frame: pd.DataFrame) -> None:
    sheet, rows = write_simple(book, "Data quality", "Data-quality checks (severity warn)", frame)
    flagged = _col(frame, "is_flagged")
    book.highlight(sheet, rows, len(frame.columns), f"=${flagged}{rows[0] + 1}=TRUE", book.bad)


def write_xlsx(data: ReportData, path: Path) -> None:
    """Workbook: KPIs, Findings, one sheet per area (28-day data + native charts), funnel
    and top courses by period, cohorts, payments, quiz questions, users at risk, data
    quality."""
    book = Book(path)
    notes = (
        ("WARNING: " + data.build_warning) if data.build_warning else "",
        f"Complete days in the warehouse: {data.first_date} to {data.latest_date}.",
    )
    write_kpis(book, data, notes)
    write_findings(book, data)
    for area in k.AREAS:
        write_trends(book, data, area)
    write_funnel(book, data)
    write_simple(
        book,
        "Cohorts",
        "Weekly sign-up cohorts: share active in week N",
        data.cohorts,
        {"returned_on_rate": "rate"},
    )
    sheet, rows = write_simple(
        book,
        "Payments",
        f"Payments, 7 days ending {data.report_date}",
        data.payments,
        {"failure_rate": "rate"},
    )
    if len(data.payments):
        c = list(data.payments.columns).index("failure_rate")
        sheet.conditional_format(
            rows[0], c, rows[1], c, {"type": "data_bar", "bar_color": "#FCA5A5", "bar_solid": True}
        )
    write_simple(
        book,
        "Quiz questions",
        "Quiz questions flagged (first attempts)",
        data.quiz_questions,
        {"difficulty_index": "rate", "discrimination_index": "decimal"},
    )
    users = data.recommendations[data.recommendations["entity_type"] == "user"]
    users = users[["entity_id", "contact_key", "breakdown", "severity", "finding"]].rename(
        columns={"entity_id": "user_id", "breakdown": "platform"}
    )
    write_simple(book, "Users at risk", "Users at risk of churning", users)
    write_data_quality(book, data.data_quality)
    book.close()


def write_pending_xlsx(data: PendingData, path: Path) -> None:
    """Workbook of a warehouse without a complete day: what it holds, data quality."""
    book = Book(path)
    notes = (
        ("WARNING: " + data.build_warning) if data.build_warning else "",
        f"No complete day yet: {COMPLETE_DAY}.",
    )
    sheet, row = book.sheet("Status", "Daily MIS report: no complete day yet", notes)
    book.table(sheet, data.holdings, row, "Status")
    write_data_quality(book, data.data_quality)
    book.close()
