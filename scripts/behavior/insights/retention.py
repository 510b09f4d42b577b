"""Retention: of the users who did the cohort event in a period, how many did the return
event k periods later.

Definitions (README "Questions on demand"): periods are days, weeks or months in the
reporting time zone. `first_time`: a user's cohort is the period of their first-ever
cohort event (over all history; cohorts outside the date range are not shown).
`recurring`: a user belongs to the cohort of every period in the range in which they
did the cohort event. Period 0 is the cohort itself (every member). A member is retained
`on` period k when they did the return event in period cohort + k, `on_or_after` when in
that period or any later one. A period that has not started by the last day with data
shows no value (null), not zero.
"""

from __future__ import annotations

from behavior.insights.common import (
    EVENTS_TABLE,
    Calendar,
    DateRange,
    EventFilter,
    InsightResult,
    Params,
    choice,
    positive_int,
    predicate,
    resolve_range,
    run_query,
)

RETENTION_TYPES = ("first_time", "recurring")
MODES = ("on", "on_or_after")


def _offset(period: str, cohort: str, later: str) -> str:
    if period == "day":
        return f"date_diff('day', {cohort}, {later})"
    if period == "week":
        return f"date_diff('day', {cohort}, {later}) // 7"
    return f"date_diff('month', {cohort}, {later})"


def build_sql(
    cohort_event: EventFilter,
    return_event: EventFilter,
    period: str,
    retention_type: str,
    mode: str,
    periods: int,
    date_range: DateRange,
    calendar: Calendar,
) -> tuple[str, Params]:
    params = Params()
    local = calendar.local("event_at", params)
    bucket = calendar.bucket("local_at", period)
    first_cohort = calendar.bucket_of(date_range.start, period)
    # Returns count from the range on; a first-time cohort needs the whole history.
    scan_from, _ = date_range.scan_bounds()
    cohort_periods = (
        """select user_id, min(period_start) as cohort_start
    from cohort_events
    group by 1"""
        if retention_type == "first_time"
        else """select distinct user_id, period_start as cohort_start
    from cohort_events"""
    )
    if mode == "on":
        counted = f"""select
        cohorts.cohort_start,
        {_offset(period, "cohorts.cohort_start", "return_periods.period_start")} as period_offset,
        count(distinct cohorts.user_id) as retained_users_count
    from cohorts
    inner join return_periods
        on return_periods.user_id = cohorts.user_id
            and return_periods.period_start > cohorts.cohort_start
    group by 1, 2"""
    else:
        counted = f"""select
        last_returns.cohort_start,
        offsets.period_offset,
        count(*) as retained_users_count
    from (
        select
            cohorts.user_id,
            cohorts.cohort_start,
            max({_offset(period, "cohorts.cohort_start", "return_periods.period_start")})
                as last_offset
        from cohorts
        inner join return_periods
            on return_periods.user_id = cohorts.user_id
                and return_periods.period_start > cohorts.cohort_start
        group by 1, 2
    ) as last_returns
    inner join offsets on offsets.period_offset between 1 and last_returns.last_offset
    group by 1, 2"""
    sql = f"""with

stream as (
    select
        user_id,
        {bucket} as period_start,
        event_at >= {params.add(scan_from)} as is_in_scan,
        {predicate(cohort_event, params)} as is_cohort_event,
        {predicate(return_event, params)} as is_return_event
    from (select *, {local} as local_at from {EVENTS_TABLE})
),

last_day as (
    select max(period_start) as last_period_start from stream
),

cohort_events as (
    select user_id, period_start from stream
    where is_cohort_event
),

cohort_periods as (
    {cohort_periods}
),

cohorts as (
    select * from cohort_periods
    where cohort_start between {params.add(first_cohort)} and {params.add(date_range.end)}
),

return_periods as (
    select distinct user_id, period_start from stream
    where is_return_event and is_in_scan
),

offsets as (
    select unnest(range(0, {params.add(periods + 1)})) as period_offset
),

cohort_sizes as (
    select cohort_start, count(*) as cohort_users_count
    from cohorts
    group by 1
),

retained as (
    {counted}
)

select
        cohort_sizes.cohort_start,
        cohort_sizes.cohort_users_count,
        offsets.period_offset,
        cast(cohort_sizes.cohort_start + offsets.period_offset * {_interval(period)} as date)
            as period_start,
        case
            when cohort_sizes.cohort_start + offsets.period_offset * {_interval(period)}
                > last_day.last_period_start then null
            when offsets.period_offset = 0 then cohort_sizes.cohort_users_count
            else coalesce(retained.retained_users_count, 0)
        end as retained_users_count,
        case
            when cohort_sizes.cohort_start + offsets.period_offset * {_interval(period)}
                > last_day.last_period_start then null
            when offsets.period_offset = 0 then 1.0
            else coalesce(retained.retained_users_count, 0) / cohort_sizes.cohort_users_count
        end as retention_rate
from cohort_sizes
cross join offsets
cross join last_day
left join retained
    on retained.cohort_start = cohort_sizes.cohort_start
        and retained.period_offset = offsets.period_offset
order by cohort_sizes.cohort_start, offsets.period_offset
"""
    return sql, params


def _interval(period: str) -> str:
    return {"day": "interval 1 day", "week": "interval 7 day", "month": "interval 1 month"}[period]


def retention(
    con,
    cohort_event: str | EventFilter = "any",
    return_event: str | EventFilter = "any",
    *,
    period: str = "week",
    retention_type: str = "first_time",
    mode: str = "on",
    periods: int | str = 8,
    date_from=None,
    date_to=None,
    calendar: Calendar | None = None,
) -> InsightResult:
    """One row per cohort x period offset (0..periods): members and retained users."""
    calendar = calendar or Calendar()
    cohort = EventFilter.parse(cohort_event)
    returned = EventFilter.parse(return_event)
    choice(period, ("day", "week", "month"), "period")
    choice(retention_type, RETENTION_TYPES, "retention type")
    choice(mode, MODES, "retention mode")
    count = positive_int(periods, "--periods")
    date_range = resolve_range(con, date_from, date_to, calendar)
    sql, params = build_sql(
        cohort, returned, period, retention_type, mode, count, date_range, calendar
    )
    return run_query(con, sql, params)
