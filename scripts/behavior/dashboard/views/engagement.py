"""Engagement: active users, sessions and bounce by day (whole app or per platform),
weekly lifecycle and weekly retention cohorts."""

from __future__ import annotations

import streamlit as st

from behavior.dashboard import queries as q
from behavior.dashboard import ui

filters = ui.filters()
st.title("Engagement")
model = "fct_engagement_daily_by_platform" if filters.platforms else "fct_engagement_daily"
totals = ui.frame(q.engagement_totals(filters)).iloc[0]
found = ui.defs()
st.caption(
    f"{filters.start} to {filters.end}, "
    + (f"platforms {', '.join(filters.platforms)}" if filters.platforms else "all platforms")
    + f", from `marts.{model}`."
)
ui.not_applied("course")
tiles = (
    ("Sessions", "sessions_count", "count"),
    ("Bounce rate", "bounce_rate", "rate"),
    ("Crashed sessions", "crashed_sessions_count", "count"),
    ("New sign-ups", "new_users_count", "count"),
    ("Installs", "installs_count", "count"),
    ("Uninstalls", "uninstalls_count", "count"),
)
columns = st.columns(len(tiles))
for column, (label, name, unit) in zip(columns, tiles, strict=True):
    with column:
        st.metric(
            label,
            ui.fmt(totals[name], unit),
            help=f"Over the range: {found.column(model, name) or name}",
        )

daily = ui.frame(q.engagement_daily(filters))
st.subheader("Active users")
st.caption(
    "The mart's own value per day"
    + (
        " and platform (a user active on two platforms counts on each)."
        if filters.platforms
        else "."
    )
)
if filters.platforms:
    st.line_chart(daily, x="activity_date", y="dau", color="platform")
else:
    st.line_chart(daily, x="activity_date", y=["dau", "wau", "mau"])
st.subheader("Daily table")
ui.table(daily, model, key="engagement_daily")
ui.model_help(model)

st.subheader("Weekly lifecycle")
ui.not_applied("platform")
lifecycle = ui.frame(q.lifecycle_weekly(filters))
if lifecycle.empty:
    st.info("No week starts in the range.")
else:
    st.bar_chart(lifecycle, x="period_start_date", y="users_count", color="lifecycle_state")
ui.model_help("fct_user_lifecycle_state_counts")

st.subheader("Weekly sign-up cohorts: retention")
ui.not_applied("platform")
cohorts = ui.frame(q.retention_weekly(filters))
ui.table(cohorts, "fct_retention_cohorts", formats={"returned_on_rate": "percent"}, key="cohorts")
