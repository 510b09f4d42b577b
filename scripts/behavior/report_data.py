"""Read what the daily MIS report shows from the warehouse (marts and reports only).

Every metric is defined in dbt; these queries only select rows for the report day
(and, for the payments table and the funnel chart, add up additive counts across
rows of one mart). Nothing here re-derives a KPI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from behavior.errors import UserError

TREND_DAYS = 30
REQUIRED = (
    "reports.rpt_mis_daily",
    "reports.rpt_mis_daily_kpis",
    "reports.rpt_recommendations",
)


@dataclass
class ReportData:
    """Everything one report shows, as data frames."""

    report_date: dt.date
    first_date: dt.date
    latest_date: dt.date
    kpis: pd.DataFrame  # rpt_mis_daily_kpis rows of the day, in KPI order
    trends: pd.DataFrame  # rpt_mis_daily_kpis rows of the 30 days ending on the day
    daily: pd.DataFrame  # the day's rpt_mis_daily row
    recommendations: pd.DataFrame
    funnel: pd.DataFrame
    cohorts: pd.DataFrame
    courses: pd.DataFrame
    payments: pd.DataFrame
    quiz_questions: pd.DataFrame
    build_warning: str | None = None  # set when the last build failed (a banner)


def connect(database: Path) -> duckdb.DuckDBPyConnection:
    """Open the warehouse read-only; UserError when it is missing or not built."""
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run `make run` (or pass --database FILE)")
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        raise UserError(f"cannot open {database} as a DuckDB warehouse: {exc}") from exc
    present = {
        f"{schema}.{name}"
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    missing = [name for name in REQUIRED if name not in present]
    if missing:
        con.close()
        raise UserError(
            f"warehouse {database} has no {', '.join(missing)}: build it first (`make build`)"
        )
    return con


def resolve_date(
    con: duckdb.DuckDBPyConnection, day: str | None
) -> tuple[dt.date, dt.date, dt.date]:
    """(report day, first reported day, latest complete day); UserError for a day without data."""
    first, latest = con.execute(
        "select min(report_date), max(report_date) from reports.rpt_mis_daily"
    ).fetchone()
    if latest is None:
        raise UserError("reports.rpt_mis_daily is empty: the warehouse holds no complete day yet")
    if day is None:
        return latest, first, latest
    try:
        wanted = dt.date.fromisoformat(day)
    except ValueError as exc:
        raise UserError(f"--date must be YYYY-MM-DD, got {day!r}") from exc
    found = con.execute(
        "select count(*) from reports.rpt_mis_daily where report_date = ?", [wanted]
    ).fetchone()[0]
    if not found:
        raise UserError(
            f"no data for {wanted}: the warehouse has complete days {first} to {latest}"
        )
    return wanted, first, latest


def _df(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pd.DataFrame:
    return con.execute(sql, params or []).df()


def load(database: Path, day: str | None = None) -> ReportData:
    """Read the report's data for `day` (default: the latest complete day)."""
    con = connect(database)
    try:
        report_date, first, latest = resolve_date(con, day)
        start = report_date - dt.timedelta(days=TREND_DAYS - 1)
        kpis = _df(
            con,
            "select * from reports.rpt_mis_daily_kpis where report_date = ? order by kpi_order",
            [report_date],
        )
        trends = _df(
            con,
            "select report_date, kpi_name, area, kpi_unit, kpi_order, value, is_anomaly, "
            "anomaly_direction from reports.rpt_mis_daily_kpis "
            "where report_date between ? and ? order by kpi_order, report_date",
            [start, report_date],
        )
        daily = _df(con, "select * from reports.rpt_mis_daily where report_date = ?", [report_date])
        recommendations = _df(
            con,
            "select * from reports.rpt_recommendations where report_date = ? "
            "order by severity_rank, area, detector, p_value nulls last, entity_id",
            [report_date],
        )
        funnel = _df(
            con,
            "select step_number, step_name, sum(users_count) as users_count "
            "from marts.fct_purchase_funnel "
            "group by 1, 2 order by 1",
        )
        cohorts = _df(
            con,
            "select cohort_date, period_offset, cohort_size, returned_on_rate, is_complete "
            "from marts.fct_retention_cohorts "
            "where cohort_granularity = 'week' and period_offset between 1 and 8 "
            "and cohort_date <= ? order by cohort_date, period_offset",
            [report_date],
        )
        courses = _df(
            con,
            "select dim_courses.course_id, dim_courses.course_title, dim_courses.is_free, "
            "max(case when step_name = 'click' then users_count end) as clicked_users, "
            "max(case when step_name = 'wishlist' then users_count end) as wishlisted_users, "
            "max(case when step_name = 'payment_succeeded' then users_count end) as paid_users, "
            "max(case when step_name = 'first_module_started' then users_count end) "
            "as started_users "
            "from marts.fct_purchase_funnel inner join marts.dim_courses "
            "on fct_purchase_funnel.course_id = dim_courses.course_id "
            "group by 1, 2, 3 order by clicked_users desc limit 10",
        )
        payments = _df(
            con,
            "select payment_method, platform, sum(attempts_count) as attempts, "
            "sum(failed_attempts_count) as failed, "
            "sum(failed_attempts_count) / nullif(sum(attempts_count), 0) as failure_rate "
            "from marts.fct_payments_daily where payment_date between ? and ? "
            "group by 1, 2 having sum(attempts_count) > 0 order by failure_rate desc, 3 desc",
            [report_date - dt.timedelta(days=6), report_date],
        )
        quiz_questions = _df(
            con,
            "select question_id, quiz_id, course_id, correct_option, responses_count, "
            "difficulty_index, discrimination_index, is_too_easy, is_too_hard, "
            "has_negative_discrimination from marts.fct_quiz_question_stats "
            "where is_too_easy or is_too_hard or has_negative_discrimination "
            "order by has_negative_discrimination desc, is_too_hard desc, question_id",
        )
    finally:
        con.close()
    return ReportData(
        report_date=report_date,
        first_date=first,
        latest_date=latest,
        kpis=kpis,
        trends=trends,
        daily=daily,
        recommendations=recommendations,
        funnel=funnel,
        cohorts=cohorts,
        courses=courses,
        payments=payments,
        quiz_questions=quiz_questions,
    )
