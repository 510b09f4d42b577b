"""Stickiness: how many users did the event in exactly k of the range's intervals, and
in k or more (cumulative), as in PostHog.

Definitions (README "Questions on demand"): the intervals are the range's days, its
calendar weeks (those that overlap the range: a partial first or last week is one
interval) or blocks of n days counted from the range's first day (the last block may
be shorter). Only events whose local date is in the range count. k runs from 1 to the
number of intervals; `users_share` is the share of the users who did the event at least
once in the range.
"""

from __future__ import annotations

from behavior.errors import UserError
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

INTERVALS = ("day", "week", "days")


def intervals_in_range(date_range: DateRange, interval: str, block_days: int, calendar) -> int:
    days = (date_range.end - date_range.start).days + 1
    if interval == "day":
        return days
    if interval == "days":
        return -(-days // block_days)
    first = calendar.bucket_of(date_range.start, "week")
    last = calendar.bucket_of(date_range.end, "week")
    return (last - first).days // 7 + 1


def build_sql(
    event: EventFilter,
    interval: str,
    block_days: int,
    date_range: DateRange,
    calendar: Calendar,
) -> tuple[str, Params]:
    params = Params()
    local = calendar.local("event_at", params)
    scan_from, scan_to = date_range.scan_bounds()
    start = params.add(date_range.start)
    if interval == "day":
        key = "local_date"
    elif interval == "week":
        key = calendar.bucket("local_date", "week")
    else:
        key = f"date_diff('day', {start}, local_date) // {params.add(block_days)}"
    total = intervals_in_range(date_range, interval, block_days, calendar)
    sql = f"""with

matching_events as (
    select user_id, cast({local} as date) as local_date
    from {EVENTS_TABLE}
    where event_at >= {params.add(scan_from)} and event_at <= {params.add(scan_to)}
        and {predicate(event, params)}
),

user_intervals as (
    select user_id, count(distinct {key}) as intervals_count
    from matching_events
    where local_date between {start} and {params.add(date_range.end)}
    group by 1
),

counted as (
    select intervals_count, count(*) as users_count
    from user_intervals
    group by 1
),

all_counts as (
    select unnest(range(1, {params.add(total + 1)})) as intervals_count
)

select
        all_counts.intervals_count,
        coalesce(counted.users_count, 0) as users_count,
        coalesce(counted.users_count, 0) / nullif(sum(counted.users_count) over (), 0)
            as users_share,
        sum(coalesce(counted.users_count, 0)) over (
            order by all_counts.intervals_count desc
            rows between unbounded preceding and current row
        ) as cumulative_users_count
from all_counts
left join counted on counted.intervals_count = all_counts.intervals_count
order by all_counts.intervals_count
"""
    return sql, params


def stickiness(
    con,
    event: str | EventFilter = "any",
    *,
    interval: str = "day",
    block_days: int | str = 1,
    date_from=None,
    date_to=None,
    calendar: Calendar | None = None,
) -> InsightResult:
    """One row per k = 1 .. number of intervals: users in exactly k, and in k or more."""
    calendar = calendar or Calendar()
    parsed = EventFilter.parse(event)
    choice(interval, INTERVALS, "stickiness interval")
    days = positive_int(block_days, "--block-days")
    if interval != "days" and days != 1:
        raise UserError("--block-days needs --interval days")
    date_range = resolve_range(con, date_from, date_to, calendar)
    sql, params = build_sql(parsed, interval, days, date_range, calendar)
    return run_query(con, sql, params)
