"""The self-contained HTML daily MIS report (no external JS, CSS or fonts)."""

from __future__ import annotations

import datetime as dt
import html
import math

import pandas as pd

from behavior import report_charts as charts
from behavior.report_data import ReportData

AREAS = ("engagement", "commerce", "learning", "retention")
CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:24px;
color:#111827;background:#f9fafb;max-width:1200px}
h1{font-size:22px;margin:0}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #e5e7eb}
.sub{color:#6b7280;font-size:13px;margin:4px 0 16px}
.summary{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:10px 14px;
font-size:14px}
.area{font-size:12px;text-transform:uppercase;color:#6b7280;margin:14px 0 6px;letter-spacing:.05em}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(170px,1fr));gap:8px}
.tile{background:#fff;border:1px solid #e5e7eb;border-radius:8px;padding:8px 10px}
.tile.bad{border-color:#dc2626;box-shadow:0 0 0 1px #dc2626}
.tile.good{border-color:#16a34a;box-shadow:0 0 0 1px #16a34a}
.name{font-size:12px;color:#374151}.value{font-size:20px;font-weight:600;margin:2px 0}
.deltas{font-size:11px;color:#6b7280}.up{color:#16a34a}.down{color:#dc2626}
.flag{font-size:11px;font-weight:600}
table{border-collapse:collapse;font-size:12px;background:#fff;width:100%}
th,td{border:1px solid #e5e7eb;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f3f4f6}td.num{text-align:right;white-space:nowrap}
.sev-high{color:#b91c1c;font-weight:600}.sev-medium{color:#b45309}.sev-low{color:#6b7280}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
img{max-width:100%}.note{font-size:12px;color:#6b7280}
.banner{background:#fef2f2;border:2px solid #dc2626;color:#991b1b;border-radius:8px;
padding:10px 14px;margin:0 0 12px;font-weight:600}
"""


def esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def format_value(value: object, unit: str) -> str:
    """A KPI value for people: counts with thousands separators, rates as %, money in $."""
    if is_missing(value):
        return "n/a"
    value = float(value)
    if unit == "rate":
        return f"{value:.1%}"
    if unit == "usd":
        return f"${value:,.2f}"
    if unit == "seconds":
        return f"{value / 60:.1f} min"
    return f"{value:,.0f}"


def format_delta(delta: object) -> str:
    if is_missing(delta):
        return "n/a"
    return f"{float(delta):+.0%}"


def raw(value: object) -> str:
    """Machine-readable value for data-value attributes: repr of the float, '' for null."""
    return "" if is_missing(value) else repr(float(value))


def tile(row: pd.Series) -> str:
    css = ""
    flag = ""
    if row["is_anomaly"]:
        bad = bool(row["is_unfavorable_anomaly"])
        css = " bad" if bad else " good"
        arrow = "&#9650;" if row["anomaly_direction"] == "up" else "&#9660;"
        flag = (
            f'<div class="flag {"down" if bad else "up"}">{arrow} anomaly '
            f"(robust z {float(row['robust_z']):+.1f})</div>"
        )
    deltas = (
        f"vs yesterday {format_delta(row['delta_vs_previous_day'])} &middot; "
        f"vs last wk {format_delta(row['delta_vs_last_week'])} &middot; "
        f"vs 28d avg {format_delta(row['delta_vs_trailing_28d'])}"
    )
    return (
        f'<div class="tile{css}" data-kpi="{esc(row["kpi_name"])}" '
        f'data-value="{raw(row["value"])}" data-anomaly="{str(bool(row["is_anomaly"])).lower()}">'
        f'<div class="name">{esc(charts.label(row["kpi_name"]))}</div>'
        f'<div class="value">{format_value(row["value"], row["kpi_unit"])}</div>'
        f'<div class="deltas">{deltas}</div>{flag}</div>'
    )


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None) -> str:
    formats = formats or {}
    head = "".join(f"<th>{esc(c.replace('_', ' '))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for column in frame.columns:
            value = row[column]
            if column in formats and not is_missing(value):
                cells.append(f'<td class="num">{format(float(value), formats[column])}</td>')
            else:
                cells.append(f"<td>{esc('' if is_missing(value) else value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def recommendations_table(recs: pd.DataFrame) -> str:
    if recs.empty:
        return '<p class="note">No findings for this day.</p>'
    rows = []
    for _, r in recs.iterrows():
        evidence = []
        for key, fmt in (("value", ".3g"), ("baseline", ".3g"), ("effect_size", "+.3g")):
            if not is_missing(r[key]):
                evidence.append(f"{key.replace('_', ' ')} {format(float(r[key]), fmt)}")
        if not is_missing(r["sample_size"]):
            evidence.append(f"n {int(r['sample_size']):,}")
        if not is_missing(r["test_statistic"]):
            evidence.append(f"stat {float(r['test_statistic']):.2f}")
        if not is_missing(r["p_value"]):
            evidence.append(f"p {float(r['p_value']):.2g}")
        rows.append(
            f'<tr data-finding-id="{esc(r["finding_id"])}" data-detector="{esc(r["detector"])}" '
            f'data-entity-id="{esc(r["entity_id"])}">'
            f'<td class="sev-{esc(r["severity"])}">{esc(r["severity"])}</td>'
            f"<td>{esc(r['area'])}<br><span class='note'>{esc(r['detector'])}</span></td>"
            f"<td>{esc(r['finding'])}</td><td>{esc(r['recommended_action'])}</td>"
            f"<td class='note'>{esc('; '.join(evidence))}</td></tr>"
        )
    return (
        "<table><thead><tr><th>severity</th><th>area / detector</th><th>finding</th>"
        "<th>recommended action</th><th>evidence</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table>"
    )


def render(data: ReportData, generated_at: dt.datetime) -> str:
    """The whole report as one HTML string."""
    kpis = data.kpis
    recs = data.recommendations
    users = recs[recs["entity_type"] == "user"]
    other = recs[recs["entity_type"] != "user"]
    anomalies = kpis[kpis["is_anomaly"]]
    bad = anomalies[anomalies["is_unfavorable_anomaly"]]
    summary = (
        f"<b>{len(anomalies)}</b> KPI anomalies ({len(bad)} unfavourable"
        + (": " + ", ".join(esc(charts.label(k)) for k in bad["kpi_name"]) if len(bad) else "")
        + f") &middot; <b>{int((other['severity'] == 'high').sum())}</b> high-severity findings"
        f" &middot; <b>{len(users)}</b> users at risk of churning."
    )
    tiles = []
    for area in AREAS:
        rows = kpis[kpis["area"] == area]
        tiles.append(f'<div class="area">{area}</div><div class="tiles">')
        tiles.extend(tile(row) for _, row in rows.iterrows())
        tiles.append("</div>")
    trend_png = charts.to_base64_png(charts.trends_figure(data.trends))
    funnel_png = charts.to_base64_png(charts.funnel_figure(data.funnel))
    cohort_png = charts.to_base64_png(charts.cohort_figure(data.cohorts))
    latest_note = (
        ""
        if data.report_date == data.latest_date
        else f'<p class="note">Whole-history detectors report on the latest complete day '
        f"({data.latest_date}) only; this day shows the daily detectors.</p>"
    )
    banner = (
        f'<div class="banner" data-build-failed="true">{esc(data.build_warning)}</div>'
        if data.build_warning
        else ""
    )
    at_risk = users.head(25)[["entity_id", "contact_key", "breakdown", "severity", "finding"]]
    at_risk = at_risk.rename(columns={"entity_id": "user_id", "breakdown": "platform"})
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Daily MIS report {data.report_date}</title><style>{CSS}</style></head>
<body data-report-date="{data.report_date}">
{banner}
<h1>Daily MIS report &mdash; {data.report_date:%A %d %B %Y}</h1>
<div class="sub">Complete days in the warehouse: {data.first_date} to {data.latest_date}.
Generated {generated_at:%Y-%m-%d %H:%M} UTC from the dbt marts and reports.</div>
<div class="summary">{summary}</div>
<h2>KPIs</h2>
<p class="note">Deltas are relative changes. Anomaly: the value is at least the threshold of
robust z-scores away from the median of the same weekday in up to 8 earlier weeks
(red: bad direction, green: good direction).</p>
{"".join(tiles)}
<h2>Recommendations</h2>{latest_note}
{recommendations_table(other)}
<h2>30-day trends</h2>
<img alt="30-day KPI trends" src="data:image/png;base64,{trend_png}">
<div class="grid2"><div><h2>Funnel</h2>
<img alt="Purchase funnel" src="data:image/png;base64,{funnel_png}"></div>
<div><h2>Cohort retention</h2>
<img alt="Cohort retention heatmap" src="data:image/png;base64,{cohort_png}"></div></div>
<h2>Top courses (by users who clicked, whole history)</h2>
{table(data.courses)}
<h2>Payments (7 days ending on the report day)</h2>
{table(data.payments, {"failure_rate": ".1%"})}
<h2>Quiz health (flagged questions, first attempts)</h2>
{table(data.quiz_questions, {"difficulty_index": ".2f", "discrimination_index": ".2f"})}
<h2>Users at risk of churning (top 25 of {len(users)}; pseudonymous keys only)</h2>
{table(at_risk) if len(at_risk) else '<p class="note">None.</p>'}
</body></html>
"""
