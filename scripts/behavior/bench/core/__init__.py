"""The benchmark's contenders for the seven core outputs (issue 12).

- `floor`: hand-written DuckDB SQL, one connection, raw tables -> seven tables;
- `pandas_script`: the same seven outputs computed with vectorized pandas;
- `check`: each contender's outputs compared with the dbt marts, row for row.

Both contenders are written from the README's metric definitions and the staging rules
(dedup: first received copy per id; users: latest version; enums `lower(trim())`,
currencies `upper(trim())`; days in UTC, the project's default reporting time zone),
independently of the dbt models. `OUTPUTS` is the contract they share with the check:
the mart, its key columns and the compared columns.
"""

from __future__ import annotations

from dataclasses import dataclass

# Column kinds in the comparison: exact (is not distinct from, after casting the
# contender's value to the mart's type), float (relative tolerance FLOAT_TOLERANCE),
# money (equal to the cent).
EXACT, FLOAT, MONEY = "exact", "float", "money"
FLOAT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Output:
    name: str  # table name in the contenders' outputs
    mart: str  # schema.table in the dbt warehouse
    keys: tuple[str, ...]
    columns: tuple[tuple[str, str], ...]  # (column, kind), keys excluded

    @property
    def column_names(self) -> list[str]:
        return [*self.keys, *(name for name, _ in self.columns)]


def _exact(*names: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, EXACT) for name in names)


OUTPUTS: tuple[Output, ...] = (
    Output(
        "sessions",
        "marts.fct_app_sessions",
        ("session_id",),
        _exact(
            "user_id",
            "platform",
            "opened_at",
            "opened_date",
            "closed_at",
            "ended_at",
            "ended_date",
            "is_crashed",
            "session_seconds",
            "active_seconds",
            "screens_viewed_count",
            "distinct_screens_count",
            "features_used_count",
            "entry_screen",
            "exit_screen",
            "is_bounce",
            "user_session_number",
            "seconds_since_previous_session",
        ),
    ),
    Output(
        "user_daily_activity",
        "marts.fct_user_daily_activity",
        ("user_id", "activity_date"),
        _exact(
            "platform",
            "platforms_count",
            "activity_events_count",
            "sessions_count",
            "active_seconds",
            "course_interactions_count",
            "learning_events_count",
            "quiz_attempts_count",
            "commerce_events_count",
            "purchases_count",
            "is_new_user",
            "days_since_signup",
        ),
    ),
    Output(
        "engagement_daily",
        "marts.fct_engagement_daily",
        ("activity_date",),
        (
            *_exact("dau", "wau", "mau"),
            ("stickiness", FLOAT),
            *_exact("new_users_count", "installs_count", "uninstalls_count", "sessions_count"),
            ("sessions_per_user", FLOAT),
            ("avg_session_seconds", FLOAT),
            ("median_session_seconds", FLOAT),
            ("bounced_sessions_count", EXACT),
            ("bounce_rate", FLOAT),
            ("crashed_sessions_count", EXACT),
        ),
    ),
    Output(
        "retention_cohorts",
        "marts.fct_retention_cohorts",
        ("cohort_granularity", "cohort_date", "period_offset"),
        (
            *_exact(
                "period_start_date",
                "period_end_date",
                "is_complete",
                "cohort_size",
                "returned_on_count",
                "returned_on_or_after_count",
            ),
            ("returned_on_rate", FLOAT),
            ("returned_on_or_after_rate", FLOAT),
        ),
    ),
    Output(
        "purchase_funnel",
        "marts.fct_purchase_funnel",
        ("course_id", "step_number"),
        (
            *_exact("step_name", "is_in_conversion_window", "users_count"),
            ("conversion_from_previous_rate", FLOAT),
            ("conversion_from_first_rate", FLOAT),
            ("median_seconds_from_previous_step", FLOAT),
        ),
    ),
    Output(
        "revenue_daily",
        "marts.fct_revenue_daily",
        ("revenue_date",),
        (
            *_exact("transactions_count", "refunds_count"),
            ("gross_revenue_usd", MONEY),
            ("refunds_usd", MONEY),
            ("net_revenue_usd", MONEY),
            *_exact("paying_users_count", "active_users_count"),
            ("arpu_usd", MONEY),
            ("arppu_usd", MONEY),
        ),
    ),
    Output(
        "quiz_attempts",
        "marts.fct_quiz_attempts",
        ("attempt_id",),
        (
            *_exact(
                "user_id",
                "quiz_id",
                "module_id",
                "course_id",
                "started_at",
                "submitted_at",
                "attempt_number",
                "submitted_attempt_number",
                "is_first_attempt",
                "is_abandoned",
            ),
            ("score_percent", FLOAT),
            ("pass_mark_percent", FLOAT),
            ("is_passed", EXACT),
            ("duration_seconds", EXACT),
            ("previous_score_percent", FLOAT),
            ("score_improvement", FLOAT),
        ),
    ),
)

OUTPUT_NAMES = tuple(output.name for output in OUTPUTS)
# Settings of the dbt profile (profiles.yml), used by both contenders' DuckDB connection.
CRASHED_SESSION_TAIL_SECONDS = 30  # var behavior__crashed_session_tail_seconds
FUNNEL_WINDOW_DAYS = 14  # var behavior__funnel_conversion_window_days
EARLIEST_EVENT_DATE = "2015-01-01"  # var behavior__earliest_event_date
