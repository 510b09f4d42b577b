"""Users at risk of churning: the churn-risk findings of the latest report day in the
range, with each user's profile (pseudonymous contact key only)."""

from __future__ import annotations

import streamlit as st

from behavior.csv_text import frame_csv
from behavior.dashboard import queries as q
from behavior.dashboard import ui

filters = ui.filters()
st.title("At-risk users")
users = ui.frame(q.users_at_risk(filters))
day = users["report_date"].iloc[0] if len(users) else None
st.caption(
    (f"Churn-risk findings of {day:%Y-%m-%d}" if day is not None else "No churn-risk findings")
    + " (the latest report day in the range with any), from `reports.rpt_recommendations` "
    "and `marts.dim_users`; the platform filter is the user's sign-up platform. The "
    "table shows the start of each pseudonymous contact key; the download has it whole."
)
ui.not_applied("course")
st.metric(
    "Users at risk",
    ui.fmt(ui.frame(q.count_rows(q.users_at_risk(filters))).iloc[0]["rows_count"], "count"),
    help=ui.defs().model("int_churn_risk_users_detected")
    or ui.defs().column("rpt_recommendations", "finding"),
)
by_platform = ui.frame(q.count_by(q.users_at_risk(filters), "platform"))
if len(by_platform):
    st.bar_chart(
        by_platform,
        x="platform",
        y="rows_count",
        x_label="platform",
        y_label="users at risk",
        horizontal=True,
    )
ui.table(
    users,
    "dim_users",
    labels={"contact_key_prefix": "contact key (start)"},
    formats={"lifetime_net_revenue_usd": "dollar"},
    key="users",
    hide=("contact_key", "report_date"),
)
st.download_button(
    "Download the list (CSV, for the win-back campaign)",
    frame_csv(users),
    file_name=f"users_at_risk_{day:%Y-%m-%d}.csv" if day is not None else "users_at_risk.csv",
    mime="text/csv",
)
