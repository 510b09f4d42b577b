"""Recommendations: the findings of the days in the range (users at risk have their own
page), with their evidence and action."""

from __future__ import annotations

import streamlit as st

from behavior.dashboard import queries as q
from behavior.dashboard import ui

filters = ui.filters()
st.title("Recommendations")
st.caption(
    f"Findings of {filters.start} to {filters.end} from `reports.rpt_recommendations`; "
    "the course filter keeps the findings on those courses and every finding on "
    "something else."
)
ui.not_applied("platform")
areas = ui.frame(q.count_by(q.recommendations(filters), "area"))["area"].dropna().tolist()
chosen = st.multiselect("Area", areas, key="recommendation_areas", placeholder="all areas")
severities = st.multiselect(
    "Severity", ["high", "medium", "low"], key="recommendation_severity", placeholder="all"
)
query = q.recommendations(filters, tuple(chosen), tuple(severities))
counts = ui.frame(q.count_by(query, "severity"))
counted = dict(zip(counts["severity"], counts["rows_count"], strict=True))
columns = st.columns(3)
for column, severity in zip(columns, ("high", "medium", "low"), strict=True):
    column.metric(
        f"{severity.capitalize()} severity",
        ui.fmt(counted.get(severity, 0), "count"),
        help=ui.defs().column("rpt_recommendations", "severity"),
    )
ui.table(
    ui.frame(query),
    "rpt_recommendations",
    formats={"p_value": "%.4f", "value": "%.3f", "baseline": "%.3f", "effect_size": "%.3f"},
    key="recommendations",
)
ui.model_help("rpt_recommendations")
