"""The daily MIS report as one self-contained HTML page (Jinja2 templates, plotly.js
inlined: no external JS, CSS or fonts), shared by the screen and the PDF."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pandas as pd

from behavior.report import charts
from behavior.report import kpis as k
from behavior.report.data import COMPLETE_DAY, PERIODS, PendingData, ReportData

TEMPLATES = Path(__file__).parent / "templates"
# The page warns when the data's latest complete day is older than the generation day
# by more than this many days (a daily run normally reports on yesterday: 1 day).
STALE_AFTER_DAYS = 2
PERIOD_TITLES = {"day": "the day", "7_days": "7 days", "28_days": "28 days"}
RATE_METRICS = ("_rate", "difficulty_index")
AT_RISK_ROWS = 10  # users at risk on the page (all of them in the Excel file)
OPEN_GROUPS = 6  # finding groups shown open; the rest one click down


@dataclass
class Staleness:
    days: int  # generation day - latest complete day
    threshold: int

    @property
    def is_stale(self) -> bool:
        return self.days > self.threshold


def staleness(data: ReportData, generated_at: dt.datetime, threshold: int) -> Staleness:
    return Staleness((generated_at.date() - data.latest_date).days, threshold)


def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        count=k.format_count,
        rate=k.format_rate,
        yesno=k.yes_no,
        short=k.short_key,
        label=k.label,
        definition=k.definition,
        title_case=lambda s: str(s).replace("_", " ").capitalize(),
    )
    return env


def _raw(value: object) -> str:
    """Exact value for data-value attributes (repr of the float, '' for null)."""
    return "" if k.is_missing(value) else repr(float(value))  # type: ignore[arg-type]


def kpi_view(row: pd.Series) -> dict:
    """One KPI as the template shows it: formatted value and changes in the right unit."""
    unit = row["kpi_unit"]
    better = bool(row["is_higher_better"])
    changes = []
    for label, change, relative in (
        ("vs yesterday", "change_vs_previous_day", "delta_vs_previous_day"),
        ("vs last week", "change_vs_last_week", "delta_vs_last_week"),
        ("vs 28-day avg", "change_vs_trailing_28d", "delta_vs_trailing_28d"),
    ):
        changes.append(
            {
                "label": label,
                "text": k.format_change(row[change], row[relative], unit),
                "css": k.trend_class(row[change], row[relative], unit, better),
            }
        )
    anomaly = bool(row["is_anomaly"])
    return {
        "name": row["kpi_name"],
        "label": k.label(row["kpi_name"]),
        "definition": k.definition(row["kpi_name"]),
        "area": row["area"],
        "value": k.format_value(row["value"], unit),
        "raw": _raw(row["value"]),
        "changes": changes,
        "is_anomaly": anomaly,
        "is_bad": anomaly and bool(row["is_unfavorable_anomaly"]),
        "direction": row["anomaly_direction"] if anomaly else None,
    }


def _metric_value(value: object, metric: str, units: dict[str, str]) -> str:
    if k.is_missing(value):
        return ""
    if metric in units:
        return k.format_value(value, units[metric])
    if metric.endswith(RATE_METRICS):
        return f"{float(value):.1%}"  # type: ignore[arg-type]
    number = float(value)  # type: ignore[arg-type]
    return f"{number:,.0f}" if number.is_integer() else f"{number:,.3g}"


def evidence(row: pd.Series, units: dict[str, str]) -> str:
    """The finding's evidence on one line: value vs baseline, sample size, p-value."""
    parts = []
    value = _metric_value(row["value"], row["metric"], units)
    baseline = _metric_value(row["baseline"], row["metric"], units)
    metric = k.label(row["metric"]) if row["metric"] in units else row["metric"].replace("_", " ")
    if value:
        parts.append(f"{metric} {value}" + (f" vs {baseline} expected" if baseline else ""))
    if not k.is_missing(row["sample_size"]):
        parts.append(f"n = {int(row['sample_size']):,}")
    if not k.is_missing(row["p_value"]):
        p = float(row["p_value"])
        parts.append("p < 0.001" if p < 0.001 else f"p = {p:.3f}")
    elif not k.is_missing(row["test_statistic"]) and row["detector"] == "kpi_anomaly":
        parts.append(f"robust z {float(row['test_statistic']):+.1f}")
    return " · ".join(parts)


def finding_groups(recs: pd.DataFrame, units: dict[str, str]) -> list[dict]:
    """Findings (users at risk excluded) grouped by entity, groups ranked by their most
    severe finding, then by how many findings they have, then by new ones."""
    groups: dict[tuple[str, str], dict] = {}
    for _, row in recs.iterrows():
        key = (row["entity_type"], row["entity_id"])
        if row["entity_type"] == "platform" and row["entity_id"] == "all":
            name, kind = "The whole app", "KPIs"
        else:
            name = row["entity_name"] or row["entity_id"]
            kind = str(row["entity_type"]).replace("_", " ")
        group = groups.setdefault(
            key, {"name": name, "kind": kind, "entity_id": row["entity_id"], "findings": []}
        )
        group["findings"].append(
            {
                "id": row["finding_id"],
                "detector": row["detector"],
                "severity": row["severity"],
                "rank": int(row["severity_rank"]),
                "status": row["change_status"],
                "text": row["finding"],
                "action": row["recommended_action"],
                "evidence": evidence(row, units),
            }
        )
    status_order = {"new": 0, "ongoing": 1, "not_tracked": 2, "resolved": 3}
    for group in groups.values():
        group["findings"].sort(key=lambda f: (f["rank"], status_order.get(f["status"], 9)))
        group["best_rank"] = group["findings"][0]["rank"]
        group["new_count"] = sum(f["status"] == "new" for f in group["findings"])
    return sorted(
        groups.values(),
        key=lambda g: (g["best_rank"], -len(g["findings"]), -g["new_count"], str(g["name"])),
    )


def period_funnel_table(frame: pd.DataFrame) -> list[dict]:
    """Steps as rows, periods as columns (count and share of clicks)."""
    rows: dict[int, dict] = {}
    for _, r in frame.iterrows():
        row = rows.setdefault(
            int(r["step_number"]),
            {"step": str(r["step_name"]).replace("_", " "), "periods": {}},
        )
        row["periods"][r["period_name"]] = (
            k.format_count(r["funnels_count"]),
            k.format_rate(r["share_of_clicks"]),
        )
    return [rows[n] for n in sorted(rows)]


def render(
    data: ReportData, generated_at: dt.datetime, stale_after_days: int = STALE_AFTER_DAYS
) -> str:
    """The whole report as one HTML string."""
    units = dict(zip(data.kpis["kpi_name"], data.kpis["kpi_unit"], strict=True))
    views = [kpi_view(row) for _, row in data.kpis.iterrows()]
    by_name = {view["name"]: view for view in views}
    headline = [by_name[name] for name in k.HEADLINE if name in by_name]
    recs = data.recommendations
    users = recs[recs["entity_type"] == "user"]
    others = recs[recs["entity_type"] != "user"]
    resolved = data.resolved[data.resolved["entity_type"] != "user"]
    groups = finding_groups(pd.concat([others, resolved]) if len(resolved) else others, units)
    anomalies = [v for v in views if v["is_anomaly"]]
    flagged_checks = _flagged(data.data_quality)
    stale = staleness(data, generated_at, stale_after_days)
    context = {
        "data": data,
        "generated_at": generated_at,
        "css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "plotly_js": charts.plotly_js(),
        "headline": headline,
        "areas": [(area, [v for v in views if v["area"] == area]) for area in k.AREAS],
        "anomalies": anomalies,
        "groups": groups[:OPEN_GROUPS],
        "more_groups": groups[OPEN_GROUPS:],
        "entities_count": len(groups),
        "new_count": int((others["change_status"] == "new").sum()),
        "resolved_count": len(resolved),
        "findings_count": len(others),
        "high_count": int((others["severity"] == "high").sum()),
        "users": users.head(AT_RISK_ROWS),
        "users_count": len(users),
        "trend_charts": [charts.trend(data.trends, name) for name in k.HEADLINE],
        "funnel_rows": period_funnel_table(data.period_funnel),
        "funnel_chart": charts.funnel(
            data.period_funnel, "28_days", "Funnel, 28 days ending on the day"
        )
        if len(data.period_funnel)
        else "",
        "periods": [(p, PERIOD_TITLES[p]) for p in PERIODS],
        "courses": {
            period: data.period_courses[data.period_courses["period_name"] == period]
            for period in PERIODS
        },
        "cohort_chart": charts.cohorts(data.cohorts),
        "payments": data.payments,
        "quiz_questions": data.quiz_questions,
        "data_quality": data.data_quality,
        "flagged_checks": flagged_checks,
        "stale": stale,
        "is_latest_day": data.report_date == data.latest_date,
    }
    return _env().get_template("report.html.j2").render(**context)


def _flagged(data_quality: pd.DataFrame) -> pd.DataFrame:
    """The data-quality checks that flag rows (the section both pages show)."""
    return data_quality[data_quality["is_flagged"].astype(bool)]


def _timestamp(value: object) -> str:
    return "" if k.is_missing(value) else pd.Timestamp(value).strftime("%Y-%m-%d %H:%M")


def render_pending(data: PendingData, generated_at: dt.datetime) -> str:
    """The status page of a warehouse without a complete day, as one HTML string."""
    holdings = [
        {
            "what": str(row["what"]).replace("_", " "),
            "rows_count": int(row["rows_count"]),
            **{
                column: _timestamp(row[column])
                for column in ("first_at", "last_at", "last_received_at")
            },
        }
        for _, row in data.holdings.iterrows()
    ]
    context = {
        "data": data,
        "generated_at": generated_at,
        "css": (TEMPLATES / "report.css").read_text(encoding="utf-8"),
        "holdings": holdings,
        "last_received": _timestamp(data.holdings["last_received_at"].max()),
        "flagged_checks": _flagged(data.data_quality),
        "complete_day": COMPLETE_DAY,
    }
    return _env().get_template("pending.html.j2").render(**context)
