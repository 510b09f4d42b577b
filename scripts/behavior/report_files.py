"""The PDF and Excel versions of the daily MIS report."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import xlsxwriter
from matplotlib.backends.backend_pdf import PdfPages

from behavior import report_charts as charts
from behavior.report_data import ReportData
from behavior.report_html import AREAS, format_delta, format_value, is_missing

KPI_COLUMNS = (
    "kpi_name",
    "area",
    "kpi_unit",
    "value",
    "previous_day_value",
    "same_weekday_last_week_value",
    "trailing_28d_avg",
    "delta_vs_previous_day",
    "delta_vs_last_week",
    "delta_vs_trailing_28d",
    "robust_z",
    "is_anomaly",
    "anomaly_direction",
)
RECOMMENDATION_COLUMNS = (
    "severity",
    "area",
    "detector",
    "entity_type",
    "entity_id",
    "entity_name",
    "breakdown",
    "finding",
    "recommended_action",
    "value",
    "baseline",
    "effect_size",
    "sample_size",
    "test_statistic",
    "p_value",
    "contact_key",
    "finding_id",
)


def kpi_line(row: pd.Series) -> str:
    """One KPI as a text line; the raw value after 'value=' can be read back exactly."""
    flag = f"  ANOMALY {row['anomaly_direction']}" if row["is_anomaly"] else ""
    value = "null" if is_missing(row["value"]) else repr(float(row["value"]))
    return (
        f"{row['kpi_name']:<24} {format_value(row['value'], row['kpi_unit']):>12}"
        f"  d/d {format_delta(row['delta_vs_previous_day']):>6}"
        f"  w/w {format_delta(row['delta_vs_last_week']):>6}  value={value}{flag}"
    )


def text_page(pdf: PdfPages, title: str, lines: list[str], size: float = 7.5) -> None:
    """A4 pages of monospaced text (continued over several pages when long)."""
    per_page = 70
    for start in range(0, max(len(lines), 1), per_page):
        fig = plt.figure(figsize=(8.27, 11.69))
        fig.text(0.05, 0.96, title, fontsize=12, weight="bold")
        for i, line in enumerate(lines[start : start + per_page]):
            fig.text(0.05, 0.93 - i * 0.0128, line, fontsize=size, family="monospace")
        pdf.savefig(fig)
        plt.close(fig)


def write_pdf(data: ReportData, path: Path) -> None:
    """Multi-page PDF: KPI table (text), recommendations, charts. Text stays plain (core
    fonts, no compression) so the report can be searched and read back."""
    with (
        plt.rc_context({"pdf.use14corefonts": True, "pdf.compression": 0}),
        PdfPages(path) as pdf,
    ):
        lines = [f"Complete days {data.first_date} to {data.latest_date}", ""]
        if data.build_warning:
            warning = textwrap.wrap("WARNING: " + data.build_warning, 110)
            lines = warning + [""] + lines
        for area in AREAS:
            lines.append(area.upper())
            rows = data.kpis[data.kpis["area"] == area]
            lines.extend(kpi_line(row) for _, row in rows.iterrows())
            lines.append("")
        text_page(pdf, f"Daily MIS report {data.report_date} - KPIs", lines)
        recs = []
        for _, r in data.recommendations.iterrows():
            if r["entity_type"] == "user":
                continue
            head = f"[{r['severity']}] {r['area']} / {r['detector']}: "
            recs.extend(textwrap.wrap(head + str(r["finding"]), 110))
            recs.extend(textwrap.wrap("   -> " + str(r["recommended_action"]), 110))
        users = int((data.recommendations["entity_type"] == "user").sum())
        recs.append(f"Users at risk of churning: {users} (see the Excel workbook).")
        text_page(pdf, f"Recommendations {data.report_date}", recs)
        for fig in (
            charts.trends_figure(data.trends),
            charts.funnel_figure(data.funnel),
            charts.cohort_figure(data.cohorts),
        ):
            pdf.savefig(fig)
            plt.close(fig)
        info = pdf.infodict()
        info["Title"] = f"Daily MIS report {data.report_date}"


def _write_frame(sheet, frame: pd.DataFrame, row: int, formats: dict) -> None:
    for col, name in enumerate(frame.columns):
        sheet.write(row, col, name, formats["header"])
    for r, values in enumerate(frame.itertuples(index=False), start=row + 1):
        for c, value in enumerate(values):
            if is_missing(value):
                sheet.write_blank(r, c, None)
            elif isinstance(value, pd.Timestamp):
                sheet.write_datetime(r, c, value.to_pydatetime(), formats["date"])
            elif hasattr(value, "isoformat") and not isinstance(value, str):
                sheet.write_datetime(r, c, pd.Timestamp(value).to_pydatetime(), formats["date"])
            elif isinstance(value, bool):
                sheet.write_boolean(r, c, value)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, float(value))
            else:
                sheet.write_string(r, c, str(value))


def write_xlsx(data: ReportData, path: Path) -> None:
    """Workbook: KPIs, Recommendations, one sheet per area (30-day data + native charts)."""
    book = xlsxwriter.Workbook(str(path))
    formats = {
        "header": book.add_format({"bold": True, "bg_color": "#F3F4F6"}),
        "date": book.add_format({"num_format": "yyyy-mm-dd"}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "banner": book.add_format({"bold": True, "font_color": "#991B1B", "bg_color": "#FEF2F2"}),
    }
    kpis = book.add_worksheet("KPIs")
    kpis.write(0, 0, f"Daily MIS report {data.report_date}", formats["title"])
    if data.build_warning:
        kpis.write(1, 0, "WARNING: " + data.build_warning, formats["banner"])
    _write_frame(kpis, data.kpis[list(KPI_COLUMNS)], 2, formats)
    kpis.set_column(0, 0, 26)
    kpis.set_column(1, len(KPI_COLUMNS), 14)
    kpis.freeze_panes(3, 1)

    recs = book.add_worksheet("Recommendations")
    _write_frame(recs, data.recommendations[list(RECOMMENDATION_COLUMNS)], 0, formats)
    recs.set_column(0, 6, 14)
    recs.set_column(7, 8, 70)
    recs.freeze_panes(1, 0)

    for area in AREAS:
        sheet = book.add_worksheet(area.capitalize())
        series = data.trends[data.trends["area"] == area]
        wide = series.pivot(index="report_date", columns="kpi_name", values="value")
        order = series.drop_duplicates("kpi_name").sort_values("kpi_order")["kpi_name"]
        wide = wide[list(order)].reset_index()
        _write_frame(sheet, wide, 0, formats)
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, len(wide.columns), 14)
        rows = len(wide)
        for i, kpi in enumerate(wide.columns[1:], start=1):
            chart = book.add_chart({"type": "line"})
            chart.add_series(
                {
                    "name": [sheet.name, 0, i],
                    "categories": [sheet.name, 1, 0, rows, 0],
                    "values": [sheet.name, 1, i, rows, i],
                    "line": {"width": 1.75},
                }
            )
            chart.set_title({"name": charts.label(kpi)})
            chart.set_legend({"none": True})
            chart.set_x_axis({"date_axis": True, "num_format": "dd mmm"})
            chart.set_size({"width": 420, "height": 220})
            col = len(wide.columns) + 1 + ((i - 1) % 2) * 7
            sheet.insert_chart(1 + ((i - 1) // 2) * 12, col, chart)
        if area == "commerce":
            start = rows + 3
            sheet.write(start, 0, "Purchase funnel (all courses)", formats["header"])
            _write_frame(sheet, data.funnel, start + 1, formats)
            chart = book.add_chart({"type": "bar"})
            n = len(data.funnel)
            chart.add_series(
                {
                    "name": "users",
                    "categories": [sheet.name, start + 2, 1, start + 1 + n, 1],
                    "values": [sheet.name, start + 2, 2, start + 1 + n, 2],
                }
            )
            chart.set_title({"name": "Purchase funnel"})
            chart.set_y_axis({"reverse": True})
            chart.set_legend({"none": True})
            sheet.insert_chart(start + n + 3, 0, chart)
            pay_start = start + n + 20
            sheet.write(pay_start, 0, "Payments, 7 days", formats["header"])
            _write_frame(sheet, data.payments, pay_start + 1, formats)
        if area == "learning":
            start = rows + 3
            sheet.write(start, 0, "Flagged quiz questions", formats["header"])
            _write_frame(sheet, data.quiz_questions, start + 1, formats)
        if area == "retention":
            start = rows + 3
            sheet.write(start, 0, "Weekly cohorts: share active in week N", formats["header"])
            _write_frame(sheet, data.cohorts, start + 1, formats)
    book.close()
