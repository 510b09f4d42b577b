"""Lifecycle: each period's active users split into new, returning and resurrecting, and
the users who went dormant (reported negative), as in PostHog.

Definitions (README "Questions on demand"): a user is active in a period when they did
the event in it (reporting time zone). In each period of the range, an active user is
`new` when the period is both their creation period (dim_users.signed_up_at) and their
first active period ever, else `returning` when they were active in the previous period,
else `resurrecting`; `dormant` counts users active in the previous period but not in
this one, as a negative number. The period before the range is read, so the range's
first period is classified like any other.
"""

from __future__ import annotations

from behavior.insights.common import (
    EVENTS_TABLE,
    USERS_TABLE,
    Calendar,
    DateRange,
    EventFilter,
    InsightResult,
    Params,
    add_periods,
    choice,
    period_interval,
    predicate,
    resolve_range,
    run_query,
)

STATUSES = ("new", "returning", "resurrecting", "dormant")


def build_sql(
    event: EventFilter, period: str, date_range: DateRange, calendar: Calendar
) -> tuple[str, Params]:
    params = Params()
    local = calendar.local("event_at", params)
    signed_up_local = calendar.local("signed_up_at", params)
    first_period = calendar.bucket_of(date_range.start, period)
    last_period = calendar.bucket_of(date_range.end, period)
    previous_period = add_periods(first_period, period, -1)
    interval = period_interval(period)
    statuses = ", ".join(f"({i}, '{status}')" for i, status in enumerate(STATUSES, 1))
    sql = f"""with

matching_events as (
    select user_id, {calendar.bucket(local, period)} as period_start
    from {EVENTS_TABLE}
    where {predicate(event, params)}
),

first_active as (
    select user_id, min(period_start) as first_period_start
    from matching_events
    group by 1
),

activity as (
    select distinct user_id, period_start
    from matching_events
    where period_start between {params.add(previous_period)} and {params.add(last_period)}
),

created as (
    select
        user_id,
        {calendar.bucket(signed_up_local, period)} as created_period_start
    from {USERS_TABLE}
),

active_statuses as (
    select
        activity.period_start,
        activity.user_id,
        case
            when
                activity.period_start = created.created_period_start
                and activity.period_start = first_active.first_period_start
                then 'new'
            when previous.user_id is not null then 'returning'
            else 'resurrecting'
        end as status
    from activity
    inner join first_active on first_active.user_id = activity.user_id
    left join created on created.user_id = activity.user_id
    left join activity as previous
        on previous.user_id = activity.user_id
            and previous.period_start = cast(activity.period_start - {interval} as date)
    where activity.period_start >= {params.add(first_period)}
),

dormant_statuses as (
    select
        cast(activity.period_start + {interval} as date) as period_start,
        activity.user_id,
        'dormant' as status
    from activity
    left join activity as following
        on following.user_id = activity.user_id
            and following.period_start = cast(activity.period_start + {interval} as date)
    where following.user_id is null
        and activity.period_start + {interval} <= {params.add(last_period)}
),

counted as (
    select period_start, status, count(*) as users_count
    from (select * from active_statuses union all select * from dormant_statuses)
    group by 1, 2
),

periods as (
    select cast(unnest(generate_series(
        cast({params.add(first_period)} as date), cast({params.add(last_period)} as date),
        {interval}
    )) as date) as period_start
),

status_order as (
    select * from (values {statuses}) as statuses(status_number, status)
)

select
        periods.period_start,
        status_order.status,
        case when status_order.status = 'dormant' then -1 else 1 end
            * coalesce(counted.users_count, 0) as users_count
from periods
cross join status_order
left join counted
    on counted.period_start = periods.period_start
        and counted.status = status_order.status
order by periods.period_start, status_order.status_number
"""
    return sql, params


def lifecycle(
    con,
    event: str | EventFilter = "any",
    *,
    period: str = "week",
    date_from=None,
    date_to=None,
    calendar: Calendar | None = None,
) -> InsightResult:
    """One row per period x status (new, returning, resurrecting, dormant < 0)."""
    calendar = calendar or Calendar()
    parsed = EventFilter.parse(event)
    choice(period, ("day", "week", "month"), "period")
    date_range = resolve_range(con, date_from, date_to, calendar)
    sql, params = build_sql(parsed, period, date_range, calendar)
    return run_query(con, sql, params)
