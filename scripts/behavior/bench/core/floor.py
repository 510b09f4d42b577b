"""The floor: the seven core outputs as hand-written DuckDB SQL in ONE connection.

    python -m behavior.bench.core.floor --database DB [--out RESULT.json]

Reads `raw.*` and `lookups.fx_rates_to_usd` of DB (a loaded, seeded warehouse file)
and writes the seven outputs as tables `bench_floor.<name>` in the same file
(behavior.bench.core.OUTPUTS). Written from the README's definitions, not from the
dbt models: the simplest correct SQL, with the staging rules (first received copy per
event id, latest user version, normalized enums, UTC days). Intermediate results are
temporary tables. RESULT.json gets the seconds spent executing the SQL.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb

from behavior.bench.core import (
    CRASHED_SESSION_TAIL_SECONDS,
    EARLIEST_EVENT_DATE,
    FUNNEL_WINDOW_DAYS,
)

SCHEMA = "bench_floor"

# (name, SQL): `t_*` are temporary tables, the others the outputs in bench_floor.
STATEMENTS: list[tuple[str, str]] = [
    (
        "t_users",
        """
        select
            user_id,
            lower(trim(platform)) as platform,
            cast(signed_up_at as date) as signed_up_date
        from raw.users
        qualify row_number() over (partition by user_id order by updated_at desc) = 1
        """,
    ),
    (
        "t_sessions",
        """
        select
            session_id, user_id, lower(trim(platform)) as platform,
            opened_at, closed_at, active_seconds, received_at,
            from_json(navigation_history, '[{"screen": "VARCHAR", "viewed_at": "VARCHAR"}]')
                as nav,
            from_json(features_used, '["VARCHAR"]') as features
        from raw.user_app_sessions
        qualify row_number() over (
            partition by session_id order by received_at, opened_at) = 1
        """,
    ),
    (
        "t_interactions",
        """
        select
            event_id, user_id, course_id, module_id,
            lower(trim(event_type)) as event_type, progress_percent,
            lower(trim(platform)) as platform, occurred_at,
            cast(occurred_at as date) as occurred_date
        from raw.user_course_interactions
        qualify row_number() over (
            partition by event_id order by received_at, occurred_at) = 1
        """,
    ),
    (
        "t_quiz_attempts",
        """
        select
            attempt_id, user_id, quiz_id, lower(trim(platform)) as platform,
            started_at, submitted_at, score_percent,
            cast(started_at as date) as started_date
        from raw.quiz_attempts
        qualify row_number() over (
            partition by attempt_id order by received_at, started_at) = 1
        """,
    ),
    (
        "t_purchases",
        """
        select
            p.event_id, p.order_id, p.user_id, p.course_id,
            lower(trim(p.event_type)) as event_type,
            lower(trim(p.platform)) as platform, p.occurred_at,
            cast(p.occurred_at as date) as occurred_date,
            round(p.amount * fx.usd_per_unit, 2) as amount_usd
        from raw.user_purchases as p
        left join lookups.fx_rates_to_usd as fx on upper(trim(p.currency)) = fx.currency
        qualify row_number() over (
            partition by p.event_id order by p.received_at, p.occurred_at) = 1
        """,
    ),
    (
        "t_days",
        f"""
        with bounds as (
            select min(d) as first_day, max(d) as last_day from (
                select signed_up_date as d from t_users
                union all select cast(installed_at as date) from raw.users
                union all select cast(uninstalled_at as date) from raw.users
                union all select cast(reinstalled_at as date) from raw.users
                union all select cast(opened_at as date) from t_sessions
                union all select occurred_date from t_interactions
                union all select started_date from t_quiz_attempts
                union all select occurred_date from t_purchases
            )
        ),
        clamped as (
            select
                least(greatest(first_day, date '{EARLIEST_EVENT_DATE}'),
                      current_date + 1) as first_day,
                greatest(least(last_day, current_date + 1),
                         date '{EARLIEST_EVENT_DATE}') as last_day
            from bounds
        )
        select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date)
            as day
        from clamped
        """,
    ),
    (
        "sessions",
        f"""
        with measured as (
            select
                *,
                closed_at is null as is_crashed,
                coalesce(len(nav), 0) as screens_viewed_count,
                coalesce(len(list_distinct([lower(trim(s.screen)) for s in nav])), 0)
                    as distinct_screens_count,
                coalesce(len(list_distinct([lower(trim(f)) for f in features])), 0)
                    as features_used_count,
                lower(trim(nav[1].screen)) as entry_screen,
                lower(trim(nav[-1].screen)) as exit_screen,
                list_max([try_cast(replace(replace(s.viewed_at, 'T', ' '), 'Z', '')
                          as timestamp) for s in nav]) as last_viewed_at
            from t_sessions
        ),
        timed as (
            select
                *,
                case
                    when closed_at is not null
                        then date_diff('second', opened_at, closed_at)
                    else greatest(
                        date_diff('second', opened_at, coalesce(last_viewed_at, opened_at))
                        + {CRASHED_SESSION_TAIL_SECONDS},
                        active_seconds)
                end as session_seconds
            from measured
        ),
        ended as (
            select *, coalesce(closed_at, opened_at + to_seconds(session_seconds)) as ended_at
            from timed
        )
        select
            session_id, user_id, platform, opened_at,
            cast(opened_at as date) as opened_date,
            closed_at, ended_at, cast(ended_at as date) as ended_date, is_crashed,
            session_seconds, active_seconds, screens_viewed_count,
            distinct_screens_count, features_used_count, entry_screen, exit_screen,
            screens_viewed_count <= 1 or session_seconds < 10 as is_bounce,
            row_number() over w as user_session_number,
            date_diff('second', lag(ended_at) over w, opened_at)
                as seconds_since_previous_session
        from ended
        window w as (partition by user_id order by opened_at, session_id)
        """,
    ),
    (
        "t_activity",
        """
        select user_id, cast(opened_at as date) as day, platform,
            1 as sessions, active_seconds, 0 as interactions, 0 as module_events,
            0 as quizzes, 0 as commerce, 0 as purchases
        from t_sessions
        union all
        select user_id, occurred_date, platform, 0, 0, 1,
            case when event_type in ('module_start', 'module_complete', 'progress_update')
                then 1 else 0 end,
            0, 0, 0
        from t_interactions
        union all
        select user_id, started_date, platform, 0, 0, 0, 0, 1, 0, 0
        from t_quiz_attempts
        union all
        select user_id, occurred_date, platform, 0, 0, 0, 0, 0, 1,
            case when event_type = 'transaction_completed' then 1 else 0 end
        from t_purchases
        where event_type in ('cart_add', 'purchase_attempt', 'transaction_completed')
        """,
    ),
    (
        "user_daily_activity",
        """
        with per_platform as (
            select
                user_id, day, platform,
                sum(sessions) as sessions, sum(active_seconds) as active_seconds,
                sum(interactions) as interactions, sum(module_events) as module_events,
                sum(quizzes) as quizzes, sum(commerce) as commerce,
                sum(purchases) as purchases,
                sum(sessions + interactions + quizzes + commerce) as events
            from t_activity
            group by all
        )
        select
            a.user_id, a.day as activity_date,
            first(a.platform order by a.events desc, a.active_seconds desc nulls last,
                  a.platform) as platform,
            count(*) as platforms_count,
            sum(a.events) as activity_events_count,
            sum(a.sessions) as sessions_count,
            sum(a.active_seconds) as active_seconds,
            sum(a.interactions) as course_interactions_count,
            sum(a.module_events + a.quizzes) as learning_events_count,
            sum(a.quizzes) as quiz_attempts_count,
            sum(a.commerce) as commerce_events_count,
            sum(a.purchases) as purchases_count,
            any_value(u.signed_up_date) = a.day as is_new_user,
            date_diff('day', any_value(u.signed_up_date), a.day) as days_since_signup
        from per_platform as a
        left join t_users as u on a.user_id = u.user_id
        group by a.user_id, a.day
        """,
    ),
    (
        "engagement_daily",
        """
        with spans as (
            select
                activity_date as day,
                lead(activity_date) over (partition by user_id order by activity_date)
                    as next_day
            from bench_floor.user_daily_activity
        ),
        deltas as (
            select day, 1 as dau, 1 as wau, 1 as mau from spans
            union all select day + 1, -1, 0, 0 from spans
            union all select least(day + 7, coalesce(next_day, day + 7)), 0, -1, 0
                from spans
            union all select least(day + 30, coalesce(next_day, day + 30)), 0, 0, -1
                from spans
            union all select day, 0, 0, 0 from t_days
        ),
        active as (
            select
                cast(day as date) as day,
                sum(sum(dau)) over (order by day) as dau,
                sum(sum(wau)) over (order by day) as wau,
                sum(sum(mau)) over (order by day) as mau
            from deltas
            group by day
        ),
        signups as (
            select signed_up_date as day, count(*) as n from t_users group by 1
        ),
        installs as (
            select
                cast(happened_at as date) as day,
                count(*) filter (where kind in ('install', 'reinstall')) as installs,
                count(*) filter (where kind = 'uninstall') as uninstalls
            from (
                select distinct user_id, 'install' as kind, installed_at as happened_at
                from raw.users where installed_at is not null
                union
                select user_id, 'uninstall', uninstalled_at
                from raw.users where uninstalled_at is not null
                union
                select user_id, 'reinstall', reinstalled_at
                from raw.users where reinstalled_at is not null
            )
            group by 1
        ),
        session_stats as (
            select
                opened_date as day,
                count(*) as sessions,
                count(*) filter (where is_bounce) as bounced,
                count(*) filter (where is_crashed) as crashed,
                avg(session_seconds) as avg_seconds,
                median(session_seconds) as median_seconds
            from bench_floor.sessions
            group by 1
        )
        select
            d.day as activity_date,
            coalesce(a.dau, 0) as dau, coalesce(a.wau, 0) as wau, coalesce(a.mau, 0) as mau,
            a.dau / nullif(a.mau, 0) as stickiness,
            coalesce(su.n, 0) as new_users_count,
            coalesce(i.installs, 0) as installs_count,
            coalesce(i.uninstalls, 0) as uninstalls_count,
            coalesce(s.sessions, 0) as sessions_count,
            s.sessions / nullif(a.dau, 0) as sessions_per_user,
            s.avg_seconds as avg_session_seconds,
            s.median_seconds as median_session_seconds,
            coalesce(s.bounced, 0) as bounced_sessions_count,
            s.bounced / s.sessions as bounce_rate,
            coalesce(s.crashed, 0) as crashed_sessions_count
        from t_days as d
        left join active as a on d.day = a.day
        left join signups as su on d.day = su.day
        left join installs as i on d.day = i.day
        left join session_stats as s on d.day = s.day
        """,
    ),
    (
        "retention_cohorts",
        """
        with cohorts as (
            select user_id, signed_up_date,
                cast(date_trunc('week', signed_up_date) as date) as week
            from t_users
        ),
        returns as (
            select
                c.user_id,
                date_diff('day', c.signed_up_date, a.activity_date) as day_offset,
                date_diff('day', c.week, a.activity_date) // 7 as week_offset
            from cohorts as c
            join bench_floor.user_daily_activity as a
                on c.user_id = a.user_id and a.activity_date > c.signed_up_date
        ),
        per_user as (
            select
                user_id,
                list_distinct(list(day_offset)) as day_offsets,
                list_distinct(list(week_offset)) as week_offsets,
                max(day_offset) as last_day_offset,
                max(week_offset) as last_week_offset
            from returns
            group by 1
        ),
        offsets as (
            select 'day' as granularity, unnest([1, 7, 14, 30]) as period_offset
            union all
            select 'week', cast(unnest(range(0, 13)) as integer)
        ),
        user_periods as (
            select
                o.granularity, o.period_offset,
                case o.granularity when 'day' then c.signed_up_date else c.week end
                    as cohort_date,
                case o.granularity
                    when 'day' then c.signed_up_date + o.period_offset
                    else c.week + 7 * o.period_offset end as period_start_date,
                case o.granularity
                    when 'day' then c.signed_up_date + o.period_offset
                    else c.week + 7 * o.period_offset + 6 end as period_end_date,
                coalesce(list_contains(
                    case o.granularity when 'day' then p.day_offsets
                    else p.week_offsets end, o.period_offset), false) as returned_on,
                coalesce(case o.granularity when 'day' then p.last_day_offset
                    else p.last_week_offset end >= o.period_offset, false)
                    as returned_on_or_after
            from cohorts as c
            cross join offsets as o
            left join per_user as p on c.user_id = p.user_id
        )
        select
            granularity as cohort_granularity, cast(cohort_date as date) as cohort_date,
            period_offset,
            cast(min(period_start_date) as date) as period_start_date,
            cast(min(period_end_date) as date) as period_end_date,
            min(period_end_date) <= (select max(day) from t_days) as is_complete,
            count(*) as cohort_size,
            count(*) filter (where returned_on) as returned_on_count,
            count(*) filter (where returned_on_or_after) as returned_on_or_after_count,
            count(*) filter (where returned_on) / count(*) as returned_on_rate,
            count(*) filter (where returned_on_or_after) / count(*)
                as returned_on_or_after_rate
        from user_periods
        group by 1, 2, 3
        having min(period_start_date) <= (select max(day) from t_days)
        """,
    ),
    (
        "purchase_funnel",
        f"""
        with steps as (
            select user_id, course_id, event_id, platform, occurred_at,
                case event_type
                    when 'course_click' then 1 when 'wishlist_add' then 2
                    when 'cart_add' then 3 when 'purchase_attempt' then 4
                    when 'module_start' then 6 end as step
            from t_interactions
            where event_type in ('course_click', 'wishlist_add', 'cart_add',
                                 'purchase_attempt', 'module_start')
            union all
            select user_id, course_id, event_id, platform, occurred_at, 5
            from t_purchases where event_type = 'transaction_completed'
        ),
        clicks as (
            select user_id, course_id, event_id as click_id, occurred_at as s1,
                occurred_at + interval {FUNNEL_WINDOW_DAYS} day as window_end
            from steps where step = 1
        ),
        s2 as (
            select c.*, (select min(e.occurred_at) from steps as e
                where e.step = 2 and e.user_id = c.user_id and e.course_id = c.course_id
                and e.occurred_at between c.s1 and c.window_end) as s2
            from clicks as c
        ),
        s3 as (
            select c.*, (select min(e.occurred_at) from steps as e
                where e.step = 3 and e.user_id = c.user_id and e.course_id = c.course_id
                and e.occurred_at between c.s2 and c.window_end) as s3
            from s2 as c
        ),
        s4 as (
            select c.*, (select min(e.occurred_at) from steps as e
                where e.step = 4 and e.user_id = c.user_id and e.course_id = c.course_id
                and e.occurred_at between c.s3 and c.window_end) as s4
            from s3 as c
        ),
        s5 as (
            select c.*, (select min(e.occurred_at) from steps as e
                where e.step = 5 and e.user_id = c.user_id and e.course_id = c.course_id
                and e.occurred_at between c.s4 and c.window_end) as s5
            from s4 as c
        ),
        s6 as (
            select c.*, (select min(e.occurred_at) from steps as e
                where e.step = 6 and e.user_id = c.user_id and e.course_id = c.course_id
                and e.occurred_at >= c.s5) as s6
            from s5 as c
        ),
        best as (
            select * from s6
            qualify row_number() over (
                partition by user_id, course_id
                order by (s2 is not null)::int + (s3 is not null)::int
                    + (s4 is not null)::int + (s5 is not null)::int
                    + (s6 is not null)::int desc,
                    s1, click_id) = 1
        ),
        modules as (
            select course_id, count(*) as modules from raw.modules group by 1
        ),
        learning as (
            select
                i.user_id, i.course_id, i.module_id,
                min(i.occurred_at) filter (
                    where i.event_type in ('module_start', 'progress_update')) as started_at,
                min(i.occurred_at) filter (where i.event_type = 'module_complete')
                    as completed_at,
                min(i.occurred_at) filter (where i.progress_percent >= 100) as full_at
            from t_interactions as i
            join raw.modules as m on i.module_id = m.module_id
            where i.event_type in ('module_start', 'module_complete', 'progress_update')
            group by all
        ),
        enrollments as (
            select
                l.user_id, l.course_id,
                least(min(l.full_at), case when count(l.completed_at) >= any_value(m.modules)
                    then max(l.completed_at) end) as completed_at
            from learning as l
            join modules as m on l.course_id = m.course_id
            group by l.user_id, l.course_id
            having min(l.started_at) is not null
        ),
        funnels as (
            select
                b.*,
                case when en.completed_at >= b.s6 then en.completed_at end as s7
            from best as b
            join raw.courses as c on b.course_id = c.course_id and c.price_amount != 0
            left join enrollments as en
                on b.user_id = en.user_id and b.course_id = en.course_id
        ),
        reached as (
            select course_id, user_id, 1 as step_number, null::bigint as seconds from funnels
            union all select course_id, user_id, 2, date_diff('second', s1, s2)
                from funnels where s2 is not null
            union all select course_id, user_id, 3, date_diff('second', s2, s3)
                from funnels where s3 is not null
            union all select course_id, user_id, 4, date_diff('second', s3, s4)
                from funnels where s4 is not null
            union all select course_id, user_id, 5, date_diff('second', s4, s5)
                from funnels where s5 is not null
            union all select course_id, user_id, 6, date_diff('second', s5, s6)
                from funnels where s6 is not null
            union all select course_id, user_id, 7, date_diff('second', s6, s7)
                from funnels where s7 is not null
        ),
        counted as (
            select course_id, step_number, count(distinct user_id) as users_count,
                median(seconds) as median_seconds
            from reached group by 1, 2
        ),
        names as (
            select * from (values
                (1, 'click', true), (2, 'wishlist', true), (3, 'cart', true),
                (4, 'purchase_attempt', true), (5, 'payment_succeeded', true),
                (6, 'first_module_started', false), (7, 'course_completed', false)
            ) as t(step_number, step_name, is_in_conversion_window)
        ),
        grid as (
            select c.course_id, n.*, coalesce(k.users_count, 0) as users_count,
                k.median_seconds
            from (select distinct course_id from counted) as c
            cross join names as n
            left join counted as k
                on c.course_id = k.course_id and n.step_number = k.step_number
        )
        select
            course_id, step_number, step_name, is_in_conversion_window, users_count,
            users_count / nullif(lag(users_count) over w, 0)
                as conversion_from_previous_rate,
            users_count / nullif(first(users_count) over w, 0)
                as conversion_from_first_rate,
            median_seconds as median_seconds_from_previous_step
        from grid
        window w as (partition by course_id order by step_number)
        """,
    ),
    (
        "revenue_daily",
        """
        with paid as (
            select occurred_date as day, count(*) as transactions,
                count(distinct user_id) as payers, sum(amount_usd) as gross
            from t_purchases where event_type = 'transaction_completed' group by 1
        ),
        refunded as (
            select occurred_date as day, count(*) as refunds, sum(amount_usd) as refunds_usd
            from t_purchases where event_type = 'refund' group by 1
        ),
        joined as (
            select
                d.day as revenue_date,
                coalesce(p.transactions, 0) as transactions_count,
                coalesce(r.refunds, 0) as refunds_count,
                coalesce(p.gross, 0) as gross_revenue_usd,
                coalesce(r.refunds_usd, 0) as refunds_usd,
                coalesce(p.payers, 0) as paying_users_count,
                coalesce(e.dau, 0) as active_users_count
            from t_days as d
            left join paid as p on d.day = p.day
            left join refunded as r on d.day = r.day
            left join bench_floor.engagement_daily as e on d.day = e.activity_date
        )
        select
            *,
            gross_revenue_usd - refunds_usd as net_revenue_usd,
            cast((gross_revenue_usd - refunds_usd) / nullif(active_users_count, 0)
                as decimal(18, 2)) as arpu_usd,
            cast((gross_revenue_usd - refunds_usd) / nullif(paying_users_count, 0)
                as decimal(18, 2)) as arppu_usd
        from joined
        """,
    ),
    (
        "quiz_attempts",
        """
        with attempts as (
            select
                a.*, q.module_id, m.course_id, q.pass_mark_percent,
                a.submitted_at is null as is_abandoned,
                case when a.submitted_at is not null then a.score_percent end as score
            from t_quiz_attempts as a
            left join raw.quizzes as q on a.quiz_id = q.quiz_id
            left join raw.modules as m on q.module_id = m.module_id
        ),
        submitted as (
            select
                attempt_id,
                row_number() over w as submitted_attempt_number,
                lag(score) over w as previous_score_percent
            from attempts
            where not is_abandoned
            window w as (partition by user_id, quiz_id order by started_at, attempt_id)
        ),
        numbered as (
            select
                *,
                row_number() over (partition by user_id, quiz_id
                    order by started_at, attempt_id) as attempt_number
            from attempts
        )
        select
            a.attempt_id, a.user_id, a.quiz_id, a.module_id, a.course_id,
            a.started_at, a.submitted_at, a.attempt_number,
            s.submitted_attempt_number,
            a.attempt_number = 1 as is_first_attempt,
            a.is_abandoned,
            a.score as score_percent,
            a.pass_mark_percent,
            case when a.is_abandoned then false else a.score >= a.pass_mark_percent end
                as is_passed,
            date_diff('second', a.started_at, a.submitted_at) as duration_seconds,
            s.previous_score_percent,
            a.score - s.previous_score_percent as score_improvement
        from numbered as a
        left join submitted as s on a.attempt_id = s.attempt_id
        """,
    ),
]


def run_floor(database: Path, settings: dict[str, str] | None = None) -> float:
    """Create bench_floor.* in `database`; return the seconds spent executing SQL."""
    con = duckdb.connect(str(database))
    try:
        catalog = con.execute("select current_database()").fetchone()[0]
        if catalog in ("raw", "lookups", SCHEMA):
            # `raw.users` would be ambiguous (catalog or schema): DuckDB refuses it.
            raise ValueError(f"name the database file other than {catalog}.duckdb")
        for key, value in (settings or {}).items():
            con.execute(f"set {key} = '{value}'")
        started = time.perf_counter()
        con.execute(f"create schema if not exists {SCHEMA}")
        for name, sql in STATEMENTS:
            if name.startswith("t_"):
                con.execute(f"create or replace temp table {name} as {sql}")
            else:
                con.execute(f"create or replace table {SCHEMA}.{name} as {sql}")
        return time.perf_counter() - started
    finally:
        con.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m behavior.bench.core.floor")
    parser.add_argument("--database", type=Path, required=True)
    parser.add_argument("--out", type=Path, help="JSON with the SQL's seconds")
    parser.add_argument("--memory-limit", default="3GB")
    parser.add_argument("--threads", default="2")
    args = parser.parse_args(argv)
    seconds = run_floor(args.database, {"memory_limit": args.memory_limit, "threads": args.threads})
    if args.out:
        args.out.write_text(json.dumps({"seconds": round(seconds, 3)}))
    print(f"floor: seven outputs in {seconds:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
