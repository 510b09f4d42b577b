"""Overview: the MIS KPIs of the last day in the range, and a drill-down from one KPI to
its trend and its breakdown by platform or course."""

from __future__ import annotations

import streamlit as st

from behavior.dashboard import queries as q
from behavior.dashboard import ui

filters = ui.filters()
st.title("Overview")
kpis = ui.frame(q.kpis_of_day(filters.end))
st.caption(
    f"KPIs of {filters.end:%A %d %B %Y} (the last day of the range), from "
    "`reports.rpt_mis_daily_kpis`; the whole app (platform and course filters apply "
    "to the drill-down's platform and course tabs, where the KPI's mart has those "
    "columns). Changes are vs the previous day: points for rates, "
    "% otherwise. Hover a KPI's ? for its definition; an anomaly is a "
    "robust z-score beyond the threshold (red: bad direction)."
)
found = ui.defs()
for area in ui.AREAS:
    rows = kpis[kpis["area"] == area]
    if rows.empty:
        continue
    st.subheader(area.capitalize())
    columns = st.columns(4)
    for index, (_, row) in enumerate(rows.iterrows()):
        with columns[index % 4]:
            label = ui.KPI_LABELS.get(row["kpi_name"], row["kpi_name"])
            if row["is_anomaly"]:
                colour = "red" if row["is_unfavorable_anomaly"] else "green"
                label = f"{label} :{colour}[anomaly]"
            st.metric(
                label,
                ui.fmt(row["value"], row["kpi_unit"]),
                delta=ui.change(row),
                delta_color="normal" if row["is_higher_better"] else "inverse",
                help=found.kpi(row["kpi_name"]),
                border=True,
            )

st.divider()
st.subheader("Drill down")
names = kpis["kpi_name"].tolist() or list(ui.KPI_LABELS)
kpi = st.selectbox(
    "KPI",
    names,
    format_func=lambda name: ui.KPI_LABELS.get(name, name),
    key="drill_kpi",
    help="Pick a KPI to see it by day, platform and course.",
)
definition = found.kpi(kpi)
if definition:
    st.caption(definition)
trend = ui.frame(q.kpi_trend(kpi, filters))
ui.not_applied("platform", "course")  # the trend is the whole app's MIS value
st.line_chart(trend, x="report_date", y=["value", "trailing_28d_avg"])
by_day, by_platform, by_course = st.tabs(["By day", "By platform", "By course"])
with by_day:
    ui.table(trend, "rpt_mis_daily_kpis", key="drill_day")
spec = q.BREAKDOWNS.get(kpi)
for tab, dimension, column in (
    (by_platform, "platform", "platform"),
    (by_course, "course_id", "course"),
):
    with tab:
        query = q.kpi_breakdown(kpi, dimension, filters)
        if query is None:
            st.info(
                f"The marts hold {ui.KPI_LABELS.get(kpi, kpi)} for the whole app only, "
                f"not by {column}."
            )
            continue
        ui.not_applied(
            *(
                name
                for name, key in (("platform", "platform"), ("course", "course_id"))
                if key not in spec.dimensions
            )
        )
        data = ui.frame(query)
        st.caption(f"Source: {spec.note}.")
        if data.empty:
            st.info("No rows for these filters.")
            continue
        st.line_chart(data, x="day", y="value", color=column)
        ui.table(data, "", key=f"drill_{column}")
