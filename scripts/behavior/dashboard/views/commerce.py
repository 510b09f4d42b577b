"""Commerce: revenue over the range (whole app, or the transactions and refunds of the
chosen platforms and courses), payments by method and platform, and the purchase
funnel."""

from __future__ import annotations

import streamlit as st

from behavior.dashboard import queries as q
from behavior.dashboard import ui

filters = ui.filters()
st.title("Commerce")
found = ui.defs()
filtered = bool(filters.platforms or filters.course_ids)
model = "fct_commerce_events" if filtered else "fct_revenue_daily"
st.caption(
    f"{filters.start} to {filters.end}; revenue from `marts.{model}`"
    + (
        " (completed transactions and refunds, each on its day, by the event's platform"
        " and course)."
        if filtered
        else " (the whole app)."
    )
)
totals = ui.frame(q.revenue_totals(filters)).iloc[0]
columns = st.columns(4)
for column, (label, name, unit, described) in zip(
    columns,
    (
        ("Gross revenue", "gross_revenue_usd", "usd", ("fct_revenue_daily", "gross_revenue_usd")),
        ("Refunds", "refunds_usd", "usd", ("fct_revenue_daily", "refunds_usd")),
        ("Net revenue", "net_revenue_usd", "usd", ("fct_revenue_daily", "net_revenue_usd")),
        (
            "Successful payments",
            "transactions_count",
            "count",
            ("fct_revenue_daily", "transactions_count"),
        ),
    ),
    strict=True,
):
    column.metric(label, ui.fmt(totals[name], unit), help=found.column(*described))
daily = ui.frame(q.revenue_daily(filters))
st.line_chart(daily, x="revenue_date", y=["gross_revenue_usd", "net_revenue_usd"])
ui.table(
    daily,
    "fct_revenue_daily",
    labels={"transactions_count": "successful payments"},
    formats={
        "gross_revenue_usd": "dollar",
        "refunds_usd": "dollar",
        "net_revenue_usd": "dollar",
    },
    key="revenue",
)

st.subheader("Payments by method and platform")
ui.not_applied("course")
payments = ui.frame(q.payments_by_method(filters))
ui.table(
    payments,
    "fct_payments_daily",
    labels={"failure_rate": "failure rate (failed / attempts)"},
    formats={"failure_rate": "percent"},
    key="payments",
)
ui.model_help("fct_payments_daily")

st.subheader("Purchase funnel (whole history)")
ui.not_applied("date range")
steps = ui.frame(q.funnel(filters))
st.bar_chart(steps, x="step_name", y="users_count", sort=False)
ui.table(steps, "fct_purchase_funnel_by_platform", key="funnel")
ui.model_help("fct_purchase_funnel_by_platform")
