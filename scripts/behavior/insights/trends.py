"""Trends: a number per interval for each series (event filter), optionally broken down
by one property.

Definitions (README "Questions on demand"): `total` counts matching events; `unique`
(alias `dau`) counts distinct users per interval (per day: DAU; per week or month:
unique users of that calendar week or month, weeks starting Monday unless told);
`wau` / `mau` (daily interval only) count, for each day, the distinct users over the
trailing 7 / 30 days including it, reaching before the range. Only events whose local
date is in the range count, so the first and last week or month may be partial. With a
breakdown, a user counts under every value they had; intervals without events show 0.
"""

from __future__ import annotations

from collections.abc import Sequence

from behavior.errors import UserError
from behavior.insights.common import (
    EVENTS_TABLE,
    Calendar,
    DateRange,
    EventFilter,
    InsightResult,
    Params,
    check_property,
    choice,
    period_interval,
    predicate,
    resolve_range,
    run_query,
)

MATHS = ("total", "unique", "dau", "wau", "mau")
TRAILING_DAYS = {"wau": 7, "mau": 30}


def build_sql(
    series: Sequence[EventFilter],
    math: str,
    interval: str,
    breakdown: str | None,
    date_range: DateRange,
    calendar: Calendar,
) -> tuple[str, Params]:
    params = Params()
    trailing = TRAILING_DAYS.get(math, 1)
    scan_from, scan_to = date_range.scan_bounds(extra_before_days=trailing - 1)
    local = calendar.local("event_at", params)
    breakdown_column = check_property(breakdown) if breakdown else "cast(null as varchar)"
    first_interval = calendar.bucket_of(date_range.start, interval)
    start = params.add(date_range.start)
    end = params.add(date_range.end)
    scan = f"event_at >= {params.add(scan_from)} and event_at <= {params.add(scan_to)}"
    series_selects = "\n    union all\n".join(
        f"""    select
        {number} as series_number,
        user_id,
        cast({local} as date) as local_date,
        {breakdown_column} as breakdown_value
    from {EVENTS_TABLE}
    where {scan} and {predicate(item, params)}"""
        for number, item in enumerate(series, 1)
    )
    labels = ", ".join(
        f"({number}, {params.add(item.label)})" for number, item in enumerate(series, 1)
    )
    if math in TRAILING_DAYS:
        # Each active day covers itself and the next trailing - 1 days; cut to the part
        # its user's previous active day did not cover, a user's spans are disjoint, so
        # the users on day d = the spans covering d = a running sum of +1 at each span's
        # start and -1 after its end (one pass over user-days, no range join).
        span = params.add(trailing)
        counted = f"""select
        groups.series_number,
        groups.breakdown_value,
        intervals.interval_start,
        sum(coalesce(deltas.delta, 0)) over (
            partition by groups.series_number, groups.breakdown_value
            order by intervals.interval_start
            rows between unbounded preceding and current row
        ) as value
    from groups
    cross join intervals
    left join (
        select series_number, breakdown_value, greatest(day, {start}) as day, sum(delta) as delta
        from (
            select series_number, breakdown_value, span_start as day, 1 as delta
            from spans
            union all
            select series_number, breakdown_value, span_end + 1 as day, -1 as delta
            from spans
        )
        group by 1, 2, 3
    ) as deltas
        on deltas.series_number = groups.series_number
            and deltas.breakdown_value is not distinct from groups.breakdown_value
            and deltas.day = intervals.interval_start"""
        spans_cte = f"""

user_days as (
    select distinct series_number, breakdown_value, user_id, local_date
    from series_events
    where local_date between {start} - {span} + 1 and {end}
),

spans as (
    select
        series_number,
        breakdown_value,
        greatest(
            local_date,
            coalesce(
                lag(local_date) over (
                    partition by series_number, breakdown_value, user_id
                    order by local_date
                ) + {span},
                local_date
            )
        ) as span_start,
        local_date + {span} - 1 as span_end
    from user_days
),"""
    else:
        spans_cte = ""
        aggregate = "count(*)" if math == "total" else "count(distinct user_id)"
        counted = f"""select
        series_number,
        breakdown_value,
        {calendar.bucket("local_date", interval)} as interval_start,
        {aggregate} as value
    from series_events
    where local_date between {start} and {end}
    group by 1, 2, 3"""
    breakdown_output = "groups.breakdown_value,\n        " if breakdown else ""
    sql = f"""with

series_events as (
{series_selects}
),

series_labels as (
    select * from (values {labels}) as labels(series_number, series)
),{spans_cte}

intervals as (
    select cast(unnest(generate_series(
        cast({params.add(first_interval)} as date), cast({end} as date),
        {period_interval(interval)}
    )) as date) as interval_start
),

groups as (
    select distinct series_number, breakdown_value
    from series_events
    where local_date between {start} - {params.add(trailing - 1)} and {end}
    union
    select series_number, cast(null as varchar) as breakdown_value
    from series_labels
    where not {"true" if breakdown else "false"}
),

counted as (
    {counted}
)

select
        series_labels.series,
        {breakdown_output}intervals.interval_start,
        coalesce(counted.value, 0) as value
from groups
inner join series_labels on series_labels.series_number = groups.series_number
cross join intervals
left join counted
    on counted.series_number = groups.series_number
        and counted.breakdown_value is not distinct from groups.breakdown_value
        and counted.interval_start = intervals.interval_start
order by groups.series_number, groups.breakdown_value nulls last, intervals.interval_start
"""
    return sql, params


def trends(
    con,
    series: Sequence[str | EventFilter] = ("any",),
    *,
    math: str = "total",
    interval: str = "day",
    breakdown: str | None = None,
    date_from=None,
    date_to=None,
    calendar: Calendar | None = None,
) -> InsightResult:
    """One row per series x (breakdown value) x interval."""
    calendar = calendar or Calendar()
    parsed = [EventFilter.parse(item) for item in series]
    if not parsed:
        raise UserError("trends need at least one event")
    choice(math, MATHS, "math")
    choice(interval, ("day", "week", "month"), "interval")
    if math in TRAILING_DAYS and interval != "day":
        raise UserError(
            f"{math} is a daily trailing count: use --interval day"
            " (or --math unique for unique users per week or month)"
        )
    date_range = resolve_range(con, date_from, date_to, calendar)
    sql, params = build_sql(parsed, math, interval, breakdown, date_range, calendar)
    return run_query(con, sql, params)
