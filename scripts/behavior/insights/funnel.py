"""Funnels: how many users go through an ordered list of steps within a conversion window.

Definitions (README "Questions on demand"): every step-1 event in the date range (its
local date) starts an attempt; each later step is the earliest matching event at or
after the previous step's time (the same instant counts) and at most `window` after the
step-1 event (inclusive, an exact duration); one event fills at most one step. `strict`
also requires that no other event of the user falls strictly between two consecutive
steps; `unordered` starts an attempt at any step's event and fills the steps, in the
order given, with distinct events anywhere in the window. An exclusion event between
steps a and b (inclusive; until the window's end when b was not reached) voids the
attempt. A user counts once (per breakdown value), at the furthest step of their best
attempt (ties: the earliest).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from behavior.errors import UserError
from behavior.insights.common import (
    ANY_EVENT,
    EVENTS_TABLE,
    Calendar,
    DateRange,
    EventFilter,
    InsightResult,
    Params,
    check_property,
    choice,
    positive_int,
    predicate,
    resolve_range,
    run_query,
    window_seconds,
)

ORDERS = ("ordered", "strict", "unordered")


@dataclass(frozen=True)
class Exclusion:
    """An event that voids an attempt when it happens between two steps."""

    event: EventFilter
    from_step: int
    to_step: int

    @classmethod
    def parse(cls, spec: str | Exclusion, steps_count: int) -> Exclusion:
        """`event[:filters][@A-B]` (default: between the first and the last step)."""
        if isinstance(spec, Exclusion):
            exclusion = spec
        else:
            text, at, between = str(spec).rpartition("@")
            if not at:
                text, between = between, f"1-{steps_count}"
            first, dash, last = between.partition("-")
            if not dash:
                raise UserError(f"bad exclusion {spec!r}: use event@A-B (steps A to B)")
            exclusion = cls(
                EventFilter.parse(text),
                positive_int(first, "the exclusion's first step"),
                positive_int(last, "the exclusion's last step"),
            )
        if not 1 <= exclusion.from_step < exclusion.to_step <= steps_count:
            raise UserError(
                f"exclusion steps {exclusion.from_step}-{exclusion.to_step} must be two of"
                f" the funnel's steps 1-{steps_count}, in order"
            )
        return exclusion


def _strict_next(alias: str) -> str:
    return (
        f"        left join next_times\n"
        f"            on next_times.user_id = {alias}.user_id\n"
        f"            and next_times.event_at = {alias}.step_at\n"
    )


def build_sql(
    steps: Sequence[EventFilter],
    order: str,
    window: int,
    exclusions: Sequence[Exclusion],
    date_range: DateRange,
    breakdown: str | None,
    calendar: Calendar,
    people: int | None = None,
    dropped: int | None = None,
) -> tuple[str, Params]:
    """The funnel as one SQL query and its bound parameters."""
    params = Params()
    n = len(steps)
    strict = order == "strict"
    unordered = order == "unordered"
    scan_from, scan_to = date_range.scan_bounds(extra_after_seconds=window)
    local = calendar.local("event_at", params)
    flags = [f"{predicate(step, params)} as is_step_{i}" for i, step in enumerate(steps, 1)]
    flags += [
        f"{predicate(exclusion.event, params)} as is_exclusion_{j}"
        for j, exclusion in enumerate(exclusions, 1)
    ]
    breakdown_column = check_property(breakdown) if breakdown else "cast(null as varchar)"
    any_flag = " or ".join(
        [f"is_step_{i}" for i in range(1, n + 1)]
        + [f"is_exclusion_{j}" for j in range(1, len(exclusions) + 1)]
    )
    start_flag = " or ".join(f"is_step_{i}" for i in range(1, n + 1)) if unordered else "is_step_1"
    window_param = params.add(window)
    flag_lines = (",\n" + " " * 12).join(flags)
    scan_from_param = params.add(scan_from)
    scan_to_param = params.add(scan_to)
    # The scan keeps only the events a step or an exclusion names (all with `any`).
    names = {step.event for step in steps} | {item.event.event for item in exclusions}
    name_filter = (
        ""
        if ANY_EVENT in names
        else "\n            and event_name in ("
        + ", ".join(params.add(name) for name in sorted(names))
        + ")"
    )
    ctes = [
        f"""events as (
    select * from (
        select
            user_id,
            event_id,
            event_at,
            cast({local} as date) as local_date,
            {breakdown_column} as breakdown_value,
            {flag_lines}
        from {EVENTS_TABLE}
        where event_at >= {scan_from_param} and event_at <= {scan_to_param}{name_filter}
    )
    where {any_flag}
)""",
        f"""attempts as (
    select
        user_id,
        event_id as attempt_id,
        breakdown_value,
        event_at as step_at,
        event_at as attempt_started_at,
        event_at + to_seconds({window_param}) as window_ends_at,
        {"cast([] as varchar[])" if unordered else "[event_id]"} as used_event_ids
    from events
    where ({start_flag})
        and local_date between {params.add(date_range.start)} and {params.add(date_range.end)}
)""",
    ]
    if strict:
        ctes.append(
            f"""next_times as (
    select
        user_id,
        event_at,
        lead(event_at) over (partition by user_id order by event_at) as next_event_at
    from (
        select distinct user_id, event_at
        from {EVENTS_TABLE}
        where event_at >= {scan_from_param} and event_at <= {scan_to_param}
            and user_id in (select attempts.user_id from attempts)
    )
)"""
        )
        ctes.append(
            """step_1 as (
    select attempts.*, next_times.next_event_at
    from attempts
"""
            + _strict_next("attempts")
            + ")"
        )
    else:
        ctes.append("step_1 as (\n    select * from attempts\n)")

    # Each later step (every step, when unordered) takes the earliest matching event
    # that no earlier step of the attempt used.
    first_chained = 1 if unordered else 2
    previous = "attempts" if unordered else "step_1"
    for k in range(first_chained, n + 1):
        join = "left join" if unordered else "inner join"
        lower = f"{previous}.attempt_started_at" if unordered else f"{previous}.step_at"
        strict_bound = (
            "\n            and events.event_at"
            f" <= coalesce({previous}.next_event_at, {previous}.step_at)"
            if strict
            else ""
        )
        name = f"step_{k}" if not (unordered and k == 1) else "step_1_chosen"
        ctes.append(
            f"""{name}_reached as (
    select
        {previous}.attempt_id,
        min({{'at': events.event_at, 'id': events.event_id}}) as chosen
    from {previous}
    {join} events
        on events.user_id = {previous}.user_id
            and events.is_step_{k}
            and events.event_at >= {lower}
            and events.event_at <= {previous}.window_ends_at
            and not list_contains({previous}.used_event_ids, events.event_id){strict_bound}
    group by 1
)"""
        )
        chosen_cte = f"""{name} as (
    select
        {previous}.attempt_id,
        {previous}.user_id,
        {previous}.breakdown_value,
        {previous}.attempt_started_at,
        {previous}.window_ends_at,
        {name}_reached.chosen.at as step_at,
        case
            when {name}_reached.chosen is null then {previous}.used_event_ids
            else list_append({previous}.used_event_ids, {name}_reached.chosen.id)
        end as used_event_ids{", next_times.next_event_at" if strict else ""}
    from {name}_reached
    inner join {previous} on {previous}.attempt_id = {name}_reached.attempt_id
"""
        if strict:
            chosen_cte += _strict_next(previous).replace(
                f"{previous}.step_at", f"{name}_reached.chosen.at"
            )
        ctes.append(chosen_cte + ")")
        previous = name

    if unordered:
        # Steps were filled in a chain of left joins: the last link has every step.
        names = ["step_1_chosen"] + [f"step_{k}" for k in range(2, n + 1)]
        times = ", ".join(f"{name}.step_at" for name in names)
        joins = "\n".join(
            f"    inner join {name} on {name}.attempt_id = attempts.attempt_id" for name in names
        )
        ctes.append(
            f"""attempt_steps as (
    select
        attempts.attempt_id,
        attempts.user_id,
        attempts.breakdown_value,
        attempts.attempt_started_at,
        attempts.window_ends_at,
        [{times}] as step_times,
        step_{n}.used_event_ids
    from attempts
{joins}
)"""
        )
        reached_times = "list_sort(list_filter(step_times, lambda t: t is not null))"
    else:
        times = ", ".join(["step_1.step_at"] + [f"step_{k}.step_at" for k in range(2, n + 1)])
        joins = "\n".join(
            f"    left join step_{k} on step_{k}.attempt_id = step_1.attempt_id"
            for k in range(2, n + 1)
        )
        used = ", ".join(f"step_{k}.used_event_ids" for k in range(n, 0, -1))
        ctes.append(
            f"""attempt_steps as (
    select
        step_1.attempt_id,
        step_1.user_id,
        step_1.breakdown_value,
        step_1.attempt_started_at,
        step_1.window_ends_at,
        [{times}] as step_times,
        coalesce({used}) as used_event_ids
    from step_1
{joins}
)"""
        )
        reached_times = "list_filter(step_times, lambda t: t is not null)"

    voids = [
        f"""not exists (
        select 1 from events
        where events.user_id = attempt_steps.user_id
            and events.is_exclusion_{j}
            and events.event_at >= attempt_steps.step_times[{exclusion.from_step}]
            and events.event_at <= coalesce(
                attempt_steps.step_times[{exclusion.to_step}], attempt_steps.window_ends_at
            )
            and not list_contains(attempt_steps.used_event_ids, events.event_id)
    )"""
        for j, exclusion in enumerate(exclusions, 1)
    ]
    ctes.append(
        f"""valid_attempts as (
    select
        attempt_steps.*,
        {reached_times} as reached_times,
        len({reached_times}) as furthest_step
    from attempt_steps
    where {" and ".join(voids) or "true"}
)"""
    )
    ctes.append(
        """best_attempts as (
    select * from valid_attempts
    qualify row_number() over (
        partition by user_id, breakdown_value
        order by furthest_step desc, attempt_started_at, attempt_id
    ) = 1
)"""
    )
    breakdown_select = "best_attempts.breakdown_value,\n        " if breakdown else ""
    if people is not None or dropped is not None:
        step = people if people is not None else dropped
        condition = (
            f"best_attempts.furthest_step >= {params.add(step)}"
            if people is not None
            else f"best_attempts.furthest_step = {params.add(step - 1)}"
        )
        sql = (
            "with\n\n"
            + ",\n\n".join(ctes)
            + f"""

select
        best_attempts.user_id,
        {breakdown_select}best_attempts.furthest_step as furthest_step_number,
        best_attempts.attempt_started_at,
        best_attempts.reached_times[{params.add(step)}] as step_reached_at
from best_attempts
where {condition}
order by best_attempts.user_id{", best_attempts.breakdown_value" if breakdown else ""}
"""
        )
        return sql, params

    names = ", ".join(
        f"({k}, {params.add(_step_name(k, n, steps, unordered))})" for k in range(1, n + 1)
    )
    groups = (
        "select distinct breakdown_value from best_attempts"
        if breakdown
        else "select cast(null as varchar) as breakdown_value"
    )
    ctes += [
        f"step_names as (\n    select * from (values {names}) as names(step_number, step_name)\n)",
        f"breakdown_groups as (\n    {groups}\n)",
        """steps_reached as (
    select
        best_attempts.breakdown_value,
        step_names.step_number,
        best_attempts.user_id,
        case when step_names.step_number > 1 then
            epoch(best_attempts.reached_times[step_names.step_number])
            - epoch(best_attempts.reached_times[step_names.step_number - 1])
        end as seconds_from_previous_step
    from best_attempts
    inner join step_names on step_names.step_number <= best_attempts.furthest_step
)""",
        """steps_counted as (
    select
        breakdown_groups.breakdown_value,
        step_names.step_number,
        step_names.step_name,
        count(steps_reached.user_id) as users_count,
        avg(steps_reached.seconds_from_previous_step) as average_seconds_from_previous_step,
        median(steps_reached.seconds_from_previous_step) as median_seconds_from_previous_step
    from breakdown_groups
    cross join step_names
    left join steps_reached
        on steps_reached.breakdown_value is not distinct from breakdown_groups.breakdown_value
            and steps_reached.step_number = step_names.step_number
    group by all
)""",
    ]
    breakdown_output = "breakdown_value,\n        " if breakdown else ""
    sql = (
        "with\n\n"
        + ",\n\n".join(ctes)
        + f"""

select
        {breakdown_output}step_number,
        step_name,
        users_count,
        users_count / nullif(first_value(users_count) over steps, 0)
            as conversion_from_first_rate,
        users_count / nullif(lag(users_count) over steps, 0) as conversion_from_previous_rate,
        lag(users_count) over steps - users_count as dropoff_count,
        1 - users_count / nullif(lag(users_count) over steps, 0) as dropoff_rate,
        average_seconds_from_previous_step,
        median_seconds_from_previous_step
from steps_counted
window steps as (partition by breakdown_value order by step_number)
order by breakdown_value nulls last, step_number
"""
    )
    return sql, params


def _step_name(k: int, n: int, steps: Sequence[EventFilter], unordered: bool) -> str:
    if unordered:
        return f"any {k} of {n} steps"
    return steps[k - 1].label


def funnel(
    con,
    steps: Sequence[str | EventFilter],
    *,
    order: str = "ordered",
    window: int | str = 14,
    window_unit: str = "day",
    exclusions: Sequence[str | Exclusion] = (),
    date_from=None,
    date_to=None,
    breakdown: str | None = None,
    people: int | str | None = None,
    dropped: int | str | None = None,
    calendar: Calendar | None = None,
) -> InsightResult:
    """Users per step, conversion, drop-off and time to convert (or, with `people` /
    `dropped`, the users who reached / dropped off at that step)."""
    calendar = calendar or Calendar()
    parsed = [EventFilter.parse(step) for step in steps]
    if len(parsed) < 2:
        raise UserError("a funnel needs at least 2 steps")
    choice(order, ORDERS, "funnel order")
    seconds = window_seconds(window, window_unit)
    parsed_exclusions = [Exclusion.parse(item, len(parsed)) for item in exclusions]
    if parsed_exclusions and order == "unordered":
        raise UserError(
            "exclusions need an ordered or strict funnel, not unordered (as in PostHog)"
        )
    if people is not None and dropped is not None:
        raise UserError("use --people or --dropped, not both")
    people_step = None if people is None else positive_int(people, "--people")
    dropped_step = None if dropped is None else positive_int(dropped, "--dropped")
    for value, what in ((people_step, "--people"), (dropped_step, "--dropped")):
        if value is not None and value > len(parsed):
            raise UserError(f"{what} {value}: the funnel has {len(parsed)} steps")
    if dropped_step == 1:
        raise UserError("--dropped 1: nobody drops off before the first step; use 2 or more")
    date_range = resolve_range(con, date_from, date_to, calendar)
    sql, params = build_sql(
        parsed,
        order,
        seconds,
        parsed_exclusions,
        date_range,
        breakdown,
        calendar,
        people_step,
        dropped_step,
    )
    return run_query(con, sql, params)
