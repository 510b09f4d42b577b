"""Read what the daily MIS report shows from the warehouse (marts and reports only).

Every metric is defined in dbt; these queries only select rows for the report day
(and, for the payments table, add up additive counts across rows of one mart).
Nothing here re-derives a KPI: changes, period funnels and findings' status since
the day before come from rpt_ models.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from behavior import warehouse_file
from behavior.errors import UserError

TREND_DAYS = 28
PERIODS = ("day", "7_days", "28_days")
TOP_COURSES = 10
REQUIRED = (
    "reports.rpt_mis_daily",
    "reports.rpt_mis_daily_kpis",
    "reports.rpt_recommendations",
)
# Read when present (a file built before they existed still gets a report, without them).
OPTIONAL = (
    "reports.rpt_recommendation_changes",
    "reports.rpt_mis_period_funnel",
    "reports.rpt_mis_period_courses",
    "reports.rpt_data_quality",
)


@dataclass
class ReportData:
    """Everything one report shows, as data frames."""

    report_date: dt.date
    first_date: dt.date
    latest_date: dt.date
    kpis: pd.DataFrame  # rpt_mis_daily_kpis rows of the day, in KPI order
    trends: pd.DataFrame  # rpt_mis_daily_kpis rows of the 28 days ending on the day
    daily: pd.DataFrame  # the day's rpt_mis_daily row
    recommendations: pd.DataFrame  # the day's findings with their change status
    resolved: pd.DataFrame  # findings of the day before that are gone on the day
    period_funnel: pd.DataFrame
    period_courses: pd.DataFrame
    cohorts: pd.DataFrame
    payments: pd.DataFrame
    quiz_questions: pd.DataFrame
    data_quality: pd.DataFrame
    missing_models: list[str] = field(default_factory=list)
    build_warning: str | None = None  # set when the last build failed (a banner)


def connect(database: Path) -> tuple[duckdb.DuckDBPyConnection, set[str]]:
    """Open the warehouse read-only; UserError when it is missing or not built."""
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run `make run` (or pass --database FILE)")
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.Error as exc:
        raise UserError(f"cannot open {database} as a DuckDB warehouse: {exc}") from exc
    warehouse_file.limit_reader(con)
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
    return con, present


class NoCompleteDayYet(UserError):
    """reports.rpt_mis_daily is empty: nothing to report on (a warehouse's first day)."""


@dataclass
class PendingData:
    """What the status page of a warehouse without a complete day shows."""

    holdings: pd.DataFrame  # what, rows_count, first_at, last_at, last_received_at
    data_quality: pd.DataFrame
    build_warning: str | None = None


# The README's definition of a complete day (int_reporting_days_bounded), as the status
# page, its Excel file and the dashboard state it.
COMPLETE_DAY = (
    "a day is complete once the warehouse has received a session, course interaction, "
    "quiz attempt or commerce event on a later day"
)
# Until the first complete day, the status page says what the warehouse holds.
HOLDINGS_TABLES = ("marts.dim_users", "marts.fct_user_events")
HOLDINGS_SQL = """
select * from (
    select 'users (sign-ups)' as what, count(*) as rows_count, min(signed_up_at) as first_at,
        max(signed_up_at) as last_at, cast(null as timestamp) as last_received_at
    from marts.dim_users
    union all
    select event_source, count(*), min(event_at), max(event_at), max(received_at)
    from marts.fct_user_events
    group by event_source
)
order by what <> 'users (sign-ups)', what
"""


def resolve_date(
    con: duckdb.DuckDBPyConnection, day: str | None
) -> tuple[dt.date, dt.date, dt.date]:
    """(report day, first reported day, latest complete day); UserError for a day without
    data, NoCompleteDayYet when there is no day at all and none was asked for."""
    first, latest = con.execute(
        "select min(report_date), max(report_date) from reports.rpt_mis_daily"
    ).fetchone()
    if latest is None:
        if day is None:
            raise NoCompleteDayYet("reports.rpt_mis_daily is empty: no complete day yet")
        raise UserError(f"no data for {day}: the warehouse holds no complete day yet")
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


RECOMMENDATIONS_SQL = """
select
    rpt_recommendations.*,
    coalesce(rpt_recommendation_changes.change_status, 'not_tracked') as change_status
from reports.rpt_recommendations
left join reports.rpt_recommendation_changes
    on rpt_recommendations.finding_id = rpt_recommendation_changes.finding_id
where rpt_recommendations.report_date = ?
order by severity_rank, area, detector, p_value nulls last, entity_id
"""
RECOMMENDATIONS_SQL_WITHOUT_CHANGES = """
select *, 'not_tracked' as change_status from reports.rpt_recommendations
where report_date = ?
order by severity_rank, area, detector, p_value nulls last, entity_id
"""
DATA_QUALITY_COLUMNS = (
    "check_name",
    "checked_table_name",
    "check_description",
    "flagged_rows_count",
    "is_flagged",
    "severity",
)
DATA_QUALITY_SQL = (
    f"select {', '.join(DATA_QUALITY_COLUMNS)} from reports.rpt_data_quality "
    "order by flagged_rows_count desc, check_name"
)
RESOLVED_SQL = """
select
    rpt_recommendations.*,
    rpt_recommendation_changes.change_status
from reports.rpt_recommendation_changes
inner join reports.rpt_recommendations
    on rpt_recommendation_changes.previous_day_finding_id = rpt_recommendations.finding_id
where rpt_recommendation_changes.report_date = ?
    and rpt_recommendation_changes.change_status = 'resolved'
order by rpt_recommendations.severity_rank, rpt_recommendations.area
"""


def load_pending(database: Path) -> PendingData:
    """The status page's data: what the warehouse holds, and its data-quality checks."""
    con, present = connect(database)
    try:
        missing = [name for name in HOLDINGS_TABLES if name not in present]
        if missing:
            raise UserError(
                f"warehouse {database} has no {', '.join(missing)}: build it first (`make build`)"
            )
        holdings = _df(con, HOLDINGS_SQL)
        if "reports.rpt_data_quality" in present:
            data_quality = _df(con, DATA_QUALITY_SQL)
        else:
            data_quality = pd.DataFrame(columns=list(DATA_QUALITY_COLUMNS))
    finally:
        con.close()
    return PendingData(holdings=holdings, data_quality=data_quality)


def load(database: Path, day: str | None = None) -> ReportData:
    """Read the report's data for `day` (default: the latest complete day)."""
    con, present = connect(database)
    missing = [name for name in OPTIONAL if name not in present]
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
        has_changes = "reports.rpt_recommendation_changes" not in missing
        recommendations = _df(
            con,
            RECOMMENDATIONS_SQL if has_changes else RECOMMENDATIONS_SQL_WITHOUT_CHANGES,
            [report_date],
        )
        resolved = (
            _df(con, RESOLVED_SQL, [report_date])
            if has_changes
            else recommendations.iloc[0:0].copy()
        )
        if "reports.rpt_mis_period_funnel" in missing:
            period_funnel = pd.DataFrame(
                columns=["period_name", "step_number", "step_name", "funnels_count"]
            )
        else:
            period_funnel = _df(
                con,
                "select period_name, period_start_date, step_number, step_name, "
                "funnels_count, share_of_clicks from reports.rpt_mis_period_funnel "
                "where report_date = ? order by period_days, step_number",
                [report_date],
            )
        if "reports.rpt_mis_period_courses" in missing:
            period_courses = pd.DataFrame(columns=["period_name", "course_rank"])
        else:
            period_courses = _df(
                con,
                "select period_name, course_rank, course_id, course_title, is_free, "
                "clicked_funnels_count, wishlisted_funnels_count, paid_funnels_count, "
                "module_started_funnels_count, click_to_paid_rate "
                "from reports.rpt_mis_period_courses "
                "where report_date = ? and course_rank <= ? order by period_days, course_rank",
                [report_date, TOP_COURSES],
            )
        if "reports.rpt_data_quality" in missing:
            data_quality = pd.DataFrame(columns=list(DATA_QUALITY_COLUMNS))
        else:
            data_quality = _df(con, DATA_QUALITY_SQL)
        cohorts = _df(
            con,
            "select cohort_date, period_offset, cohort_size, returned_on_rate, is_complete "
            "from marts.fct_retention_cohorts "
            "where cohort_granularity = 'week' and period_offset between 1 and 8 "
            "and cohort_date <= ? order by cohort_date, period_offset",
            [report_date],
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
        resolved=resolved,
        period_funnel=period_funnel,
        period_courses=period_courses,
        cohorts=cohorts,
        payments=payments,
        quiz_questions=quiz_questions,
        data_quality=data_quality,
        missing_models=missing,
    )
