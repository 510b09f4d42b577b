"""Streamlit helpers shared by the pages: the session's connection, cached queries, the
filters, number formats and tables whose column headers carry their definitions."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from behavior.dashboard import definitions, queries
from behavior.dashboard.queries import Filters, Query
from behavior.report.data import COMPLETE_DAY
from behavior.warehouse_file import close_private_reader, open_private_reader

DATABASE_ENV = queries.DATABASE_ENV
FILTERS_KEY = "dashboard_filters"
DEFAULT_DAYS = 28

# Plain names for the MIS KPIs (presentation only: definitions come from the manifest).
KPI_LABELS = {
    "dau": "Daily active users",
    "wau": "Weekly active users",
    "mau": "Monthly active users",
    "stickiness": "Stickiness (DAU/MAU)",
    "new_signups": "New sign-ups",
    "installs": "Installs",
    "sessions": "Sessions",
    "median_session_seconds": "Median session",
    "course_clicks": "Course clicks",
    "uninstalls": "Uninstalls",
    "d7_retention_rate": "Day-7 retention",
    "wishlist_adds": "Wishlist adds",
    "cart_adds": "Cart adds",
    "purchase_attempts": "Payment attempts",
    "successful_payments": "Successful payments",
    "payment_failure_rate": "Payment failure rate",
    "gross_revenue_usd": "Gross revenue",
    "refunds_usd": "Refunds",
    "net_revenue_usd": "Net revenue",
    "arpu_usd": "Net revenue per DAU",
    "funnel_conversion_rate": "Click-to-paid (28 days)",
    "quizzes_attempted": "Quiz attempts",
    "quiz_pass_rate": "Quiz pass rate",
    "course_starts": "Course starts",
    "course_completions": "Course completions",
}
AREAS = ("engagement", "retention", "commerce", "learning")


def database_path() -> Path:
    """$BEHAVIOR_DASHBOARD_DATABASE (set by `behavior dashboard --database`), else the
    serving file, else the build file."""
    value = os.environ.get(DATABASE_ENV)
    return Path(value) if value else queries.default_database()


@st.cache_resource(scope="session", on_release=close_private_reader, show_spinner=False)
def connection(path: str, version: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per browser session and version of the file (DuckDB
    connections are not shared between threads). A publish replaces the serving file:
    the next run sees a new modification time and opens the new file, in a DuckDB
    instance of its own (another session's open connection would otherwise hand it
    the old file's instance)."""
    return open_private_reader(Path(path))


@st.cache_data(show_spinner=False, max_entries=512)
def _frame(path: str, version: float, sql: str, params: tuple) -> pd.DataFrame:
    return queries.run(connection(path, version), Query(sql, params))


def frame(query: Query) -> pd.DataFrame:
    """The query's rows, cached on (file, its modification time, SQL, parameters): the
    filters are the parameters, and a new publish is a new modification time."""
    path = database_path()
    return _frame(str(path), path.stat().st_mtime, query.sql, tuple(query.params))


@st.cache_resource(show_spinner=False)
def _definitions(version: float) -> definitions.Definitions:
    return definitions.load()


def defs() -> definitions.Definitions:
    path = definitions.manifest_path()
    return _definitions(path.stat().st_mtime if path.exists() else 0.0)


def meta() -> dict | None:
    """The serving file's meta row; None for a build file."""
    try:
        rows = frame(queries.meta())
    except duckdb.Error:
        return None
    return rows.iloc[0].to_dict() if len(rows) else None


def sidebar_filters() -> Filters:
    """Draw the filters in the sidebar (once per run, from the app's entry script)."""
    bounds = frame(queries.bounds()).iloc[0]
    first, latest = bounds["first_day"], bounds["latest_day"]
    if pd.isna(latest):
        st.info(f"No complete day yet: the dashboard shows complete days only, and {COMPLETE_DAY}.")
        st.stop()
    first, latest = pd.Timestamp(first).date(), pd.Timestamp(latest).date()
    default_start = max(first, latest - dt.timedelta(days=DEFAULT_DAYS - 1))
    st.sidebar.header("Filters")
    picked = st.sidebar.date_input(
        "Date range",
        value=(default_start, latest),
        min_value=first,
        max_value=latest,
        key="filter_dates",
        help=f"Complete days in the warehouse: {first} to {latest}.",
    )
    if isinstance(picked, tuple | list):
        start = picked[0] if picked else default_start
        end = picked[1] if len(picked) > 1 else start
    else:
        start = end = picked
    platforms = st.sidebar.multiselect(
        "Platform",
        frame(queries.platforms())["platform"].tolist(),
        key="filter_platforms",
        placeholder="all platforms",
        help="Applies where the mart has a platform; each page says where it does not.",
    )
    courses = frame(queries.courses())
    titles = dict(zip(courses["course_id"], courses["course_title"], strict=True))
    course_ids = st.sidebar.multiselect(
        "Course",
        list(titles),
        format_func=lambda course_id: f"{course_id} {titles.get(course_id, '')}",
        key="filter_courses",
        placeholder="all courses",
        help="Applies where the mart has a course; each page says where it does not.",
    )
    filters = Filters(start, end, tuple(sorted(platforms)), tuple(sorted(course_ids)))
    st.session_state[FILTERS_KEY] = filters
    return filters


def filters() -> Filters:
    """The filters the entry script drew for this run."""
    return st.session_state[FILTERS_KEY]


def not_applied(*what: str) -> None:
    """Say which filters this part of the page ignores (its mart has no such column)."""
    chosen = filters()
    ignored = [
        name
        for name, active in (
            ("platform", bool(chosen.platforms) and "platform" in what),
            ("course", bool(chosen.course_ids) and "course" in what),
            ("date range", "date range" in what),
        )
        if active
    ]
    if ignored:
        what_ = " and ".join(ignored)
        verb = "filters do" if len(ignored) > 1 else "filter does"
        st.caption(f"The {what_} {verb} not apply here (not in this mart).")


def fmt(value: object, unit: str) -> str:
    """A value as a manager reads it: 1,234 / 12.3% / $1,234.56 / 4m 42s."""
    if value is None or pd.isna(value):
        return "n/a"
    number = float(value)
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "rate":
        return f"{number:.1%}"
    if unit == "usd":
        return f"${number:,.2f}"
    if unit == "seconds":
        minutes, seconds = divmod(round(number), 60)
        return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
    return f"{number:,.2f}"


def change(row: pd.Series) -> str | None:
    """The change vs the previous day in the KPI's unit: points for rates (from the
    query's value - previous), the mart's relative delta otherwise."""
    if row["kpi_unit"] == "rate":
        points = row["change_vs_previous_day"]
        return None if pd.isna(points) else f"{points * 100:+.1f} pts"
    delta = row["delta_vs_previous_day"]
    return None if pd.isna(delta) else f"{delta:+.1%}"


def table(
    data: pd.DataFrame,
    model: str,
    labels: dict[str, str] | None = None,
    formats: dict[str, str] | None = None,
    key: str | None = None,
    hide: tuple[str, ...] = (),
) -> None:
    """A dataframe whose headers show the column's dbt description on hover (`hide`:
    columns left out of the view, e.g. kept only for a download)."""
    found = defs()
    config = {}
    for column in data.columns:
        text = found.column(model, column)
        label = (labels or {}).get(column, column.replace("_", " "))
        number_format = (formats or {}).get(column)
        if pd.api.types.is_datetime64_any_dtype(data[column]):
            config[column] = st.column_config.DateColumn(label, help=text, format="YYYY-MM-DD")
        elif number_format:
            config[column] = st.column_config.NumberColumn(label, help=text, format=number_format)
        else:
            config[column] = st.column_config.Column(label, help=text)
    st.dataframe(
        data,
        column_config=config,
        column_order=[column for column in data.columns if column not in hide],
        hide_index=True,
        width="stretch",
        key=key,
    )


def model_help(model: str) -> None:
    """The model's description under a heading, collapsed."""
    text = defs().model(model)
    if text:
        with st.expander(f"About `{model}`"):
            st.markdown(text)
