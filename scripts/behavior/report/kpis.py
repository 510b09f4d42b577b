"""How the report names and formats the MIS KPIs (presentation only: every value and
change comes from reports.rpt_mis_daily_kpis; the definitions repeat README "Metric
definitions" in one line each)."""

from __future__ import annotations

import math

import pandas as pd

# The headline KPIs, in the order of the page: the first screen a manager reads.
HEADLINE = (
    "dau",
    "new_signups",
    "net_revenue_usd",
    "payment_failure_rate",
    "funnel_conversion_rate",
    "d7_retention_rate",
    "quiz_pass_rate",
    "course_starts",
)

# kpi_name -> (plain name, one-line definition)
KPIS: dict[str, tuple[str, str]] = {
    "dau": (
        "Daily active users",
        "Distinct users active that day (session, course, quiz or commerce event).",
    ),  # fmt: skip
    "wau": ("Weekly active users", "Distinct users active in the 7 days ending that day."),
    "mau": ("Monthly active users", "Distinct users active in the 30 days ending that day."),
    "stickiness": ("Stickiness (DAU / MAU)", "Daily active users / monthly active users."),
    "new_signups": ("New sign-ups", "Users who signed up that day."),
    "installs": ("App installs", "Install events that day."),
    "sessions": ("App sessions", "App sessions opened that day."),
    "median_session_seconds": (
        "Median session length",
        "Median of close - open over the day's sessions (crashes estimated).",
    ),
    "course_clicks": ("Course clicks", "course_click interactions that day."),
    "uninstalls": ("Uninstalls", "Uninstall events that day (lower is better)."),
    "d7_retention_rate": (
        "Day-7 retention",
        "Share of the sign-ups whose day 7 fell in the 7 days ending that day who were "
        "active on day 7.",
    ),
    "wishlist_adds": ("Wishlist adds", "wishlist_add interactions that day."),
    "cart_adds": ("Cart adds", "cart_add interactions that day."),
    "purchase_attempts": ("Purchase attempts", "Payment attempts that day."),
    "successful_payments": ("Successful payments", "Completed transactions that day."),
    "payment_failure_rate": (
        "Payment failure rate",
        "Failed / all payment attempts that day (lower is better).",
    ),
    "gross_revenue_usd": ("Gross revenue", "Completed transactions that day, in USD."),
    "refunds_usd": ("Refunds", "Refunds issued that day, in USD (lower is better)."),
    "net_revenue_usd": ("Net revenue", "Gross revenue - refunds that day, in USD."),
    "arpu_usd": ("Revenue per active user", "Net revenue / daily active users (ARPU)."),
    "funnel_conversion_rate": (
        "Click-to-purchase conversion",
        "Of the course funnels clicked in the 28 days ending that day, the share paid.",
    ),
    "quizzes_attempted": ("Quizzes attempted", "Quiz attempts started that day."),
    "quiz_pass_rate": (
        "Quiz pass rate",
        "Of the quiz attempts submitted that day (of quizzes with a pass mark), the share passed.",
    ),
    "course_starts": ("Course starts", "Enrollments (first module start) that day."),
    "course_completions": ("Course completions", "Enrollments completed that day."),
}

AREAS = ("engagement", "commerce", "learning", "retention")


def label(kpi_name: str) -> str:
    """The plain name of a KPI (its identifier, made readable, when not listed)."""
    return KPIS.get(kpi_name, (kpi_name.replace("_usd", "").replace("_", " ").capitalize(), ""))[0]


def definition(kpi_name: str) -> str:
    return KPIS.get(kpi_name, ("", ""))[1]


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def format_value(value: object, unit: str) -> str:
    """A KPI value for people: counts as integers, rates as %, money in $, durations in
    minutes and seconds."""
    if is_missing(value):
        return "n/a"
    number = float(value)  # type: ignore[arg-type]
    if unit == "rate":
        return f"{number:.1%}"
    if unit == "usd":
        return f"${number:,.2f}"
    if unit == "seconds":
        minutes, seconds = divmod(round(number), 60)
        return f"{minutes} min {seconds:02d} s"
    return f"{number:,.0f}"


def _rounded_change(change: object, relative: object, unit: str) -> float | None:
    """The change as shown: points (1 decimal) for rates, else % (no decimals)."""
    if unit == "rate":
        return None if is_missing(change) else round(float(change) * 100, 1)  # type: ignore[arg-type]
    return None if is_missing(relative) else round(float(relative) * 100)  # type: ignore[arg-type]


def format_change(change: object, relative: object, unit: str) -> str:
    """A change in the right unit: percentage points for rates, else the relative change
    in % ('new' from zero, n/a without a comparison); no sign when it rounds to 0."""
    shown = _rounded_change(change, relative, unit)
    if shown is None:
        if unit != "rate" and not is_missing(change):
            return "new" if float(change) != 0 else "0%"  # type: ignore[arg-type]
        return "n/a"
    suffix = " pts" if unit == "rate" else "%"
    if shown == 0:
        return ("0.0" if unit == "rate" else "0") + suffix
    return (f"{shown:+.1f}" if unit == "rate" else f"{shown:+.0f}") + suffix


def trend_class(change: object, relative: object, unit: str, higher_is_better: bool) -> str:
    """good / bad / flat for colouring a change (flat when it shows as 0)."""
    shown = _rounded_change(change, relative, unit)
    if shown is None:
        if unit != "rate" and not is_missing(change) and float(change) != 0:  # type: ignore[arg-type]
            shown = float(change)  # type: ignore[arg-type]
        else:
            return "flat"
    if shown == 0:
        return "flat"
    return "good" if (shown > 0) == higher_is_better else "bad"


def format_count(value: object) -> str:
    return "" if is_missing(value) else f"{int(round(float(value))):,}"  # type: ignore[arg-type]


def format_rate(value: object) -> str:
    return "" if is_missing(value) else f"{float(value):.1%}"  # type: ignore[arg-type]


def yes_no(value: object) -> str:
    return "" if is_missing(value) else ("yes" if bool(value) else "no")


def short_key(value: object, length: int = 8) -> str:
    """A long hex key shortened for people (the full key stays in the Excel file)."""
    text = "" if is_missing(value) else str(value)
    return text[:length] + "…" if len(text) > length + 2 else text
