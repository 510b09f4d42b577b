"""The dashboard's SQL: one function per table a page shows, each returning a `Query`.

No metric is computed in Python. A query either selects a mart's own values at the
mart's grain, or sums an additive count / amount over the filter in SQL; a rate under a
filter is pooled in SQL (sum of numerators / sum of denominators) only where the
project documents it so (README "Metrics (semantic layer)": bounce_rate, quiz_pass_rate,
completion_rate, payment_failure_rate "recompute them from the counts").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PLATFORMS_TABLE = "marts.fct_engagement_daily_by_platform"
# The file the app reads, set by `behavior dashboard --database` (default_database else).
DATABASE_ENV = "BEHAVIOR_DASHBOARD_DATABASE"


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; an empty tuple means every platform / course."""

    start: dt.date
    end: dt.date
    platforms: tuple[str, ...] = ()
    course_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Query:
    sql: str
    params: tuple[Any, ...] = field(default_factory=tuple)


def run(con, query: Query):
    """The query's result as a pandas DataFrame."""
    return con.execute(query.sql, list(query.params)).df()


def _in(column: str, values: tuple[str, ...], params: list[Any]) -> str:
    """` and column in (?, ...)`, or nothing when every value is wanted."""
    if not values:
        return ""
    params.extend(values)
    return f" and {column} in ({', '.join('?' for _ in values)})"


# ---- the warehouse and its bounds -------------------------------------------------------


def default_database() -> Path:
    """The serving file beside the build file when it exists (behavior publish), else the
    build file, as `behavior insight` does."""
    from behavior.build_status import default_build_database, serving_path

    build = default_build_database()
    serving = serving_path(build)
    return serving if serving.exists() else build


def bounds() -> Query:
    return Query(
        "select min(report_date) as first_day, max(report_date) as latest_day "
        "from reports.rpt_mis_daily"
    )


def meta() -> Query:
    """The serving file's one-row meta table (absent in a build file: see ui.meta)."""
    return Query("select published_at, built_at, latest_complete_day, git_commit from main.meta")


def platforms() -> Query:
    return Query(f"select distinct platform from {PLATFORMS_TABLE} order by 1")


def courses() -> Query:
    return Query(
        "select course_id, course_title, category, is_free from marts.dim_courses order by 1"
    )


# ---- overview ---------------------------------------------------------------------------


def kpis_of_day(day: dt.date) -> Query:
    """The MIS KPIs of one day, with the change vs the previous day: points (value -
    previous) for rates, the mart's relative delta for the rest."""
    return Query(
        "select kpi_name, area, kpi_unit, kpi_order, is_higher_better, value, "
        "previous_day_value, delta_vs_previous_day, "
        "value - previous_day_value as change_vs_previous_day, "
        "is_anomaly, is_unfavorable_anomaly "
        "from reports.rpt_mis_daily_kpis where report_date = ? order by kpi_order",
        (day,),
    )


def kpi_trend(kpi: str, filters: Filters) -> Query:
    return Query(
        "select report_date, value, trailing_28d_avg, is_anomaly "
        "from reports.rpt_mis_daily_kpis "
        "where kpi_name = ? and report_date between ? and ? order by report_date",
        (kpi, filters.start, filters.end),
    )


@dataclass(frozen=True)
class Breakdown:
    """Where a KPI lives at a finer grain: `source` has columns day, platform and/or
    course_id; `value` aggregates one (day, dimension) group in SQL."""

    source: str
    value: str
    dimensions: tuple[str, ...]
    note: str


_ENGAGEMENT = (
    f"(select activity_date as day, platform, {{column}} as measure from {PLATFORMS_TABLE})"
)
_GRAIN_NOTE = "the mart's own value per day and platform (distinct users do not add up)"
_EVENTS = (
    "(select event_date as day, platform, course_id from marts.fct_user_events "
    "where event_source = 'course_interactions' and event_name = '{event}')"
)
_PAYMENTS = (
    "(select payment_date as day, platform, attempts_count, failed_attempts_count "
    "from marts.fct_payments_daily)"
)
# The commerce ledger: every completed transaction and refund on its own day, with its
# own platform and course (an order charged on two days counts on both), as
# fct_revenue_daily counts them; and its sums over a group of its rows (an amount
# without a rate counts 0). The filtered revenue and the breakdowns share them.
_LEDGER_OF = (
    "(select occurred_date as day, platform, course_id, event_type, "
    "coalesce(amount_usd, 0) as amount from marts.fct_commerce_events "
    "where event_type in ({types}))"
)
_LEDGER = _LEDGER_OF.format(types="'transaction_completed', 'refund'")
# A breakdown reads only the rows its KPI counts, so a group appears where the KPI has
# rows: a course with only a refund on a day is not listed with 0 successful payments.
_LEDGER_COMPLETED = _LEDGER_OF.format(types="'transaction_completed'")
_LEDGER_REFUNDS = _LEDGER_OF.format(types="'refund'")
_TRANSACTIONS = "count(case when event_type = 'transaction_completed' then 1 end)"
_GROSS = "sum(case when event_type = 'transaction_completed' then amount else 0 end)"
_REFUNDS = "sum(case when event_type = 'refund' then amount else 0 end)"
_NET = "sum(case when event_type = 'refund' then -amount else amount end)"
_QUIZZES_STARTED = "(select started_date as day, platform, course_id from marts.fct_quiz_attempts)"
_QUIZZES_SUBMITTED = (
    "(select submitted_date as day, platform, course_id, is_passed "
    "from marts.fct_quiz_attempts where not is_abandoned)"
)

BREAKDOWNS: dict[str, Breakdown] = {
    **{
        kpi: Breakdown(
            _ENGAGEMENT.format(column=column), "any_value(measure)", ("platform",), _GRAIN_NOTE
        )
        for kpi, column in {
            "dau": "dau",
            "wau": "wau",
            "mau": "mau",
            "stickiness": "stickiness",
            "median_session_seconds": "median_session_seconds",
        }.items()
    },
    **{
        kpi: Breakdown(
            _ENGAGEMENT.format(column=column),
            "sum(measure)",
            ("platform",),
            "counts of fct_engagement_daily_by_platform (they add up to the total)",
        )
        for kpi, column in {
            "new_signups": "new_users_count",
            "installs": "installs_count",
            "uninstalls": "uninstalls_count",
            "sessions": "sessions_count",
        }.items()
    },
    **{
        kpi: Breakdown(
            _EVENTS.format(event=event),
            "count(*)",
            ("platform", "course_id"),
            "events of fct_user_events (course interactions) counted per day",
        )
        for kpi, event in {
            "course_clicks": "course_click",
            "wishlist_adds": "wishlist_add",
            "cart_adds": "cart_add",
        }.items()
    },
    "purchase_attempts": Breakdown(
        _PAYMENTS, "sum(attempts_count)", ("platform",), "attempts of fct_payments_daily"
    ),
    "payment_failure_rate": Breakdown(
        _PAYMENTS,
        "cast(sum(failed_attempts_count) as double) / nullif(sum(attempts_count), 0)",
        ("platform",),
        "failed / all attempts of fct_payments_daily, pooled over payment methods",
    ),
    "successful_payments": Breakdown(
        _LEDGER_COMPLETED,
        _TRANSACTIONS,
        ("platform", "course_id"),
        "completed transactions of fct_commerce_events on their day",
    ),
    "gross_revenue_usd": Breakdown(
        _LEDGER_COMPLETED,
        _GROSS,
        ("platform", "course_id"),
        "completed transactions' amount_usd of fct_commerce_events on their day",
    ),
    "refunds_usd": Breakdown(
        _LEDGER_REFUNDS,
        _REFUNDS,
        ("platform", "course_id"),
        "refunds' amount_usd of fct_commerce_events on their day",
    ),
    "net_revenue_usd": Breakdown(
        _LEDGER,
        _NET,
        ("platform", "course_id"),
        "gross minus refunds, each on its day (fct_commerce_events)",
    ),
    "quizzes_attempted": Breakdown(
        _QUIZZES_STARTED,
        "count(*)",
        ("platform", "course_id"),
        "attempts of fct_quiz_attempts on their start day",
    ),
    "quiz_pass_rate": Breakdown(
        _QUIZZES_SUBMITTED,
        "cast(count(case when is_passed then 1 end) as double) / nullif(count(is_passed), 0)",
        ("platform", "course_id"),
        "passed / submitted attempts with a pass mark of fct_quiz_attempts on the submit day",
    ),
    "course_starts": Breakdown(
        "(select started_date as day, course_id from marts.fct_course_enrollments)",
        "count(*)",
        ("course_id",),
        "enrollments of fct_course_enrollments on their start day",
    ),
    "course_completions": Breakdown(
        "(select completed_date as day, course_id from marts.fct_course_enrollments "
        "where is_completed)",
        "count(*)",
        ("course_id",),
        "completed enrollments of fct_course_enrollments on the completion day",
    ),
}
"""KPIs of rpt_mis_daily_kpis with a finer grain in the marts. arpu_usd, d7_retention_rate
and funnel_conversion_rate have none: the marts hold them for the whole app only."""


def kpi_breakdown(kpi: str, dimension: str, filters: Filters) -> Query | None:
    """One row per day x platform (or course) of the KPI, under the filters that apply to
    its source; None when the marts hold no such grain."""
    spec = BREAKDOWNS.get(kpi)
    if spec is None or dimension not in spec.dimensions:
        return None
    params: list[Any] = [filters.start, filters.end]
    where = "breakdown.day between ? and ?"
    if "platform" in spec.dimensions:
        where += _in("breakdown.platform", filters.platforms, params)
    if "course_id" in spec.dimensions:
        where += _in("breakdown.course_id", filters.course_ids, params)
    if dimension == "course_id":
        return Query(
            f"select breakdown.day, breakdown.course_id || ' ' || dim_courses.course_title "
            f"as course, {spec.value} as value "
            f"from {spec.source} as breakdown left join marts.dim_courses "
            f"on breakdown.course_id = dim_courses.course_id "
            f"where {where} group by 1, 2 order by 1, 2",
            tuple(params),
        )
    return Query(
        f"select breakdown.day, breakdown.platform, {spec.value} as value "
        f"from {spec.source} as breakdown "
        f"where {where} group by 1, 2 order by 1, 2",
        tuple(params),
    )


# ---- engagement -------------------------------------------------------------------------

_ENGAGEMENT_COLUMNS = (
    "dau, wau, mau, stickiness, new_users_count, installs_count, uninstalls_count, "
    "sessions_count, sessions_per_user, avg_session_seconds, median_session_seconds, "
    "bounced_sessions_count, bounce_rate, crashed_sessions_count"
)


def engagement_daily(filters: Filters) -> Query:
    """Whole-app rows (fct_engagement_daily) without a platform filter, else the chosen
    platforms' rows of fct_engagement_daily_by_platform: the mart's own values."""
    if not filters.platforms:
        return Query(
            f"select activity_date, 'all' as platform, {_ENGAGEMENT_COLUMNS} "
            "from marts.fct_engagement_daily where activity_date between ? and ? order by 1",
            (filters.start, filters.end),
        )
    params: list[Any] = [filters.start, filters.end]
    where = _in("platform", filters.platforms, params)
    return Query(
        f"select activity_date, platform, {_ENGAGEMENT_COLUMNS} from {PLATFORMS_TABLE} "
        f"where activity_date between ? and ?{where} order by 1, 2",
        tuple(params),
    )


def engagement_totals(filters: Filters) -> Query:
    """Additive counts summed over the range (and platforms); bounce rate pooled."""
    table = PLATFORMS_TABLE if filters.platforms else "marts.fct_engagement_daily"
    params: list[Any] = [filters.start, filters.end]
    where = _in("platform", filters.platforms, params)
    return Query(
        "select sum(sessions_count) as sessions_count, "
        "sum(bounced_sessions_count) as bounced_sessions_count, "
        "cast(sum(bounced_sessions_count) as double) / nullif(sum(sessions_count), 0) "
        "as bounce_rate, sum(crashed_sessions_count) as crashed_sessions_count, "
        "sum(new_users_count) as new_users_count, sum(installs_count) as installs_count, "
        "sum(uninstalls_count) as uninstalls_count "
        f"from {table} where activity_date between ? and ?{where}",
        tuple(params),
    )


def lifecycle_weekly(filters: Filters) -> Query:
    return Query(
        "select period_start_date, lifecycle_state, users_count "
        "from marts.fct_user_lifecycle_state_counts "
        "where period_granularity = 'week' and period_start_date between ? and ? "
        "order by 1, 2",
        (filters.start - dt.timedelta(days=6), filters.end),
    )


def retention_weekly(filters: Filters) -> Query:
    return Query(
        "select cohort_date, period_offset, cohort_size, returned_on_rate, is_complete "
        "from marts.fct_retention_cohorts where cohort_granularity = 'week' "
        "and cohort_date between ? and ? and period_offset between 0 and 8 order by 1, 2",
        (filters.start - dt.timedelta(days=6), filters.end),
    )


# ---- learning ---------------------------------------------------------------------------


# The title shown for a course the catalog does not hold (an anomaly the per-course
# tables keep, so their totals count every row, as the MIS report does).
NOT_IN_CATALOG = "(not in the catalog)"


def enrollments_by_course(filters: Filters) -> Query:
    """Enrollments started in the range per course; completed since; completion rate =
    completed / started (the semantic layer's completion_rate, a start-day cohort)."""
    params: list[Any] = [filters.start, filters.end]
    where = _in("enrollments.course_id", filters.course_ids, params)
    return Query(
        "select enrollments.course_id, "
        f"coalesce(dim_courses.course_title, '{NOT_IN_CATALOG}') as course_title, "
        "count(*) as enrollments_count, "
        "count(case when enrollments.is_completed then 1 end) as completed_count, "
        "cast(count(case when enrollments.is_completed then 1 end) as double) / count(*) "
        "as completion_rate, "
        "count(case when enrollments.is_stalled then 1 end) as stalled_count "
        "from marts.fct_course_enrollments as enrollments "
        "left join marts.dim_courses on enrollments.course_id = dim_courses.course_id "
        f"where enrollments.started_date between ? and ?{where} "
        "group by 1, 2 order by 3 desc, 1",
        tuple(params),
    )


def quizzes_by_course(filters: Filters) -> Query:
    """Quiz attempts started in the range, the submitted and passed ones among them, and
    the pass rate passed / judged (submitted with a pass mark: the semantic layer's
    quiz_pass_rate). Attempts of a quiz outside the catalog have no course: one row
    with a null course_id, counted in the attempts and submitted, not judged."""
    params: list[Any] = [filters.start, filters.end]
    where = _in("attempts.platform", filters.platforms, params)
    where += _in("attempts.course_id", filters.course_ids, params)
    return Query(
        "select attempts.course_id, "
        f"coalesce(dim_courses.course_title, '{NOT_IN_CATALOG}') as course_title, "
        "count(*) as attempts_count, "
        "count(case when not attempts.is_abandoned then 1 end) as submitted_count, "
        "count(case when attempts.is_passed then 1 end) as passed_count, "
        "count(case when not attempts.is_abandoned "
        "and attempts.is_passed is not null then 1 end) as judged_count, "
        "cast(count(case when attempts.is_passed then 1 end) as double) "
        "/ nullif(count(case when not attempts.is_abandoned "
        "and attempts.is_passed is not null then 1 end), 0) "
        "as pass_rate "
        "from marts.fct_quiz_attempts as attempts "
        "left join marts.dim_courses on attempts.course_id = dim_courses.course_id "
        f"where attempts.started_date between ? and ?{where} "
        "group by 1, 2 order by 3 desc, 1",
        tuple(params),
    )


def module_dropoff(filters: Filters) -> Query:
    """fct_module_dropoff as it is (whole history, one row per course x module)."""
    params: list[Any] = []
    where = _in("course_id", filters.course_ids, params)
    return Query(
        "select course_id, module_position, course_starters_count, reached_count, "
        "completed_count, dropped_off_count, reached_rate, dropoff_rate, is_biggest_dropoff "
        f"from marts.fct_module_dropoff where true{where} order by 1, 2",
        tuple(params),
    )


# ---- commerce ---------------------------------------------------------------------------


def revenue_daily(filters: Filters) -> Query:
    """fct_revenue_daily (whole app) without platform / course filters; else the
    completed transactions and refunds of fct_commerce_events, each on its own day, of
    the chosen platforms and courses (the event's own): the same sums, filtered."""
    if not filters.platforms and not filters.course_ids:
        return Query(
            "select revenue_date, gross_revenue_usd, refunds_usd, net_revenue_usd, "
            "transactions_count "
            "from marts.fct_revenue_daily where revenue_date between ? and ? order by 1",
            (filters.start, filters.end),
        )
    params: list[Any] = [filters.start, filters.end]
    where = _in("ledger.platform", filters.platforms, params)
    where += _in("ledger.course_id", filters.course_ids, params)
    return Query(
        f"select ledger.day as revenue_date, {_GROSS} as gross_revenue_usd, "
        f"{_REFUNDS} as refunds_usd, {_NET} as net_revenue_usd, "
        f"{_TRANSACTIONS} as transactions_count "
        f"from {_LEDGER} as ledger where ledger.day between ? and ?{where} "
        "group by 1 order by 1",
        tuple(params),
    )


def revenue_totals(filters: Filters) -> Query:
    daily = revenue_daily(filters)
    return Query(
        "select coalesce(sum(gross_revenue_usd), 0) as gross_revenue_usd, "
        "coalesce(sum(refunds_usd), 0) as refunds_usd, "
        "coalesce(sum(net_revenue_usd), 0) as net_revenue_usd, "
        "coalesce(sum(transactions_count), 0) as transactions_count "
        f"from ({daily.sql}) as daily",
        daily.params,
    )


def payments_by_method(filters: Filters) -> Query:
    """fct_payments_daily summed over the range per method x platform; the failure rate
    recomputed from the counts, as the mart's description says."""
    params: list[Any] = [filters.start, filters.end]
    where = _in("platform", filters.platforms, params)
    return Query(
        "select payment_method, platform, sum(attempts_count) as attempts_count, "
        "sum(failed_attempts_count) as failed_attempts_count, "
        "cast(sum(failed_attempts_count) as double) / nullif(sum(attempts_count), 0) "
        "as failure_rate, sum(failed_orders_count) as failed_orders_count, "
        "sum(recovered_orders_count) as recovered_orders_count, "
        "sum(paid_orders_count) as paid_orders_count, "
        "sum(refunded_orders_count) as refunded_orders_count "
        f"from marts.fct_payments_daily where payment_date between ? and ?{where} "
        "group by 1, 2 having sum(attempts_count) > 0 order by 3 desc, 1, 2",
        tuple(params),
    )


def funnel(filters: Filters) -> Query:
    """Users per funnel step (whole history: the funnel marts have no day), summed over
    the chosen courses and platforms (each funnel counts on one platform)."""
    params: list[Any] = []
    where = _in("platform", filters.platforms, params)
    where += _in("course_id", filters.course_ids, params)
    return Query(
        "select step_number, step_name, sum(users_count) as users_count "
        f"from marts.fct_purchase_funnel_by_platform where true{where} "
        "group by 1, 2 order by 1",
        tuple(params),
    )


# ---- recommendations and users at risk --------------------------------------------------


def recommendations(
    filters: Filters, areas: tuple[str, ...] = (), severities: tuple[str, ...] = ()
) -> Query:
    """Findings (not users) of the days in the range; the course filter keeps course
    findings of those courses and every finding about something else."""
    params: list[Any] = [filters.start, filters.end]
    extra = _in("area", areas, params) + _in("severity", severities, params)
    course = ""
    if filters.course_ids:
        marks = ", ".join("?" for _ in filters.course_ids)
        course = f" and (entity_type <> 'course' or entity_id in ({marks}))"
        params.extend(filters.course_ids)
    return Query(
        "select report_date, severity, area, detector, entity_type, entity_id, entity_name, "
        "breakdown, finding, recommended_action, metric, value, baseline, effect_size, "
        "sample_size, p_value "
        "from reports.rpt_recommendations "
        f"where entity_type <> 'user' and report_date between ? and ?{extra}{course} "
        "order by report_date desc, severity_rank, area, detector, entity_id",
        tuple(params),
    )


def users_at_risk(filters: Filters) -> Query:
    """Churn-risk findings of the latest report day in the range, with the user's
    profile from dim_users; the platform filter applies to the user's platform."""
    params: list[Any] = [filters.start, filters.end]
    where = _in("dim_users.platform", filters.platforms, params)
    return Query(
        "with latest as (select max(report_date) as report_date "
        "from reports.rpt_recommendations where entity_type = 'user' "
        "and report_date between ? and ?) "
        "select recs.report_date, recs.severity, recs.entity_id as user_id, "
        "left(recs.contact_key, 12) || '…' as contact_key_prefix, recs.contact_key, "
        "dim_users.platform, dim_users.country_code, "
        "dim_users.acquisition_channel, dim_users.last_active_date, "
        "dim_users.install_state, dim_users.lifetime_net_revenue_usd, recs.finding, "
        "recs.recommended_action "
        "from reports.rpt_recommendations as recs "
        "inner join latest on recs.report_date = latest.report_date "
        "left join marts.dim_users on recs.entity_id = dim_users.user_id "
        f"where recs.entity_type = 'user'{where} "
        "order by recs.severity_rank, dim_users.last_active_date, recs.entity_id",
        tuple(params),
    )


def totals_of(query: Query, sums: tuple[str, ...], rates: dict[str, tuple[str, str]]) -> Query:
    """One row: the given count columns of a per-course query summed, and each rate
    pooled as sum(numerator) / sum(denominator) in SQL."""
    parts = [f"coalesce(sum({column}), 0) as {column}" for column in sums]
    parts += [
        f"cast(sum({top}) as double) / nullif(sum({bottom}), 0) as {name}"
        for name, (top, bottom) in rates.items()
    ]
    return Query(f"select {', '.join(parts)} from ({query.sql}) as rows_", query.params)


def enrollment_totals(filters: Filters) -> Query:
    return totals_of(
        enrollments_by_course(filters),
        ("enrollments_count", "completed_count", "stalled_count"),
        {"completion_rate": ("completed_count", "enrollments_count")},
    )


def quiz_totals(filters: Filters) -> Query:
    return totals_of(
        quizzes_by_course(filters),
        ("attempts_count", "submitted_count", "passed_count", "judged_count"),
        {"pass_rate": ("passed_count", "judged_count")},
    )


def count_by(query: Query, column: str) -> Query:
    """Rows of a query counted per value of one of its columns (in SQL)."""
    return Query(
        f"select {column}, count(*) as rows_count from ({query.sql}) as rows_ "
        "group by 1 order by 1",
        query.params,
    )


def count_rows(query: Query) -> Query:
    return Query(f"select count(*) as rows_count from ({query.sql}) as rows_", query.params)
