"""The dashboard's entry script (`streamlit run app.py`): page setup, the source and its
freshness, the shared filters, then the page the user picked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from behavior.dashboard import ui

HERE = Path(__file__).resolve().parent
# The pages live in views/, not pages/: a pages/ folder beside the entry script switches
# Streamlit to its older multipage mode, which runs a page opened by its URL without
# this script (no filters, no connection check).
PAGES = (
    ("overview.py", "Overview", ":material/dashboard:"),
    ("engagement.py", "Engagement", ":material/group:"),
    ("learning.py", "Learning", ":material/school:"),
    ("commerce.py", "Commerce", ":material/payments:"),
    ("recommendations.py", "Recommendations", ":material/lightbulb:"),
    ("at_risk_users.py", "At-risk users", ":material/person_alert:"),
)
STALE_AFTER_DAYS = 2

st.set_page_config(page_title="Learning app dashboard", page_icon=":bar_chart:", layout="wide")

page = st.navigation(
    [st.Page(HERE / "views" / name, title=title, icon=icon) for name, title, icon in PAGES]
)

database = ui.database_path()
if not database.is_file():
    st.error(f"No warehouse at {database}: run `make run` (build and publish) first.")
    st.stop()
current = ui.sidebar_filters()
meta = ui.meta()
latest = pd.Timestamp(ui.frame(ui.queries.bounds()).iloc[0]["latest_day"]).date()
if meta is not None:
    st.sidebar.caption(
        f"Serving file `{database.name}`, published {meta['published_at']:%Y-%m-%d %H:%M} UTC; "
        f"latest complete day {latest}."
    )
else:
    st.sidebar.caption(f"Build file `{database.name}` (no serving file); latest day {latest}.")
age = (dt.datetime.now(dt.UTC).date() - latest).days
if age > STALE_AFTER_DAYS:
    st.warning(
        f"Stale data: the latest complete day is {latest}, {age} days ago. "
        "Run the daily build (`make daily`) to refresh it.",
        icon=":material/schedule:",
    )
page.run()
