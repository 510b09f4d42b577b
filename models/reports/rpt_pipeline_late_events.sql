{#- Late and missed events per raw event table. An event is late when it was
    received more than an hour after it happened. An event is missed when no
    incremental model reflects it: it was loaded after a run whose watermark
    had already passed its received_at, which only the lookback fallback of
    macro incremental_watermark allows (newest received_at minus var
    behavior__incremental_lookback_hours). Missed events are never silently lost:
    they are counted here, and `behavior reprocess --from DAY --to DAY`
    rebuilds their days.
    Missed sessions are the staged sessions minus the rows of
    fct_app_sessions, two table row counts: every fct_app_sessions row is a
    staged session (it is built from staging, whose sessions are only ever
    added or replaced by key), so the difference is the staged sessions with
    no fct_app_sessions row, without the join of 5.6M session keys on each
    side that cost 2 of the model's 6 CPU-seconds at 10M raw rows. A
    negative count (a fct row that staging no longer has) fails the report's
    range rule: our logic, not the data, would be wrong. -#}

with

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

user_course_interactions as (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

quiz_attempts as (

    select * from {{ ref('stg_app__quiz_attempts') }}

),

user_purchases as (

    select * from {{ ref('stg_app__user_purchases') }}

),

fct_app_sessions as (

    select * from {{ ref('fct_app_sessions') }}

),

user_platform_days as (

    select * from {{ ref('int_user_platform_days_aggregated') }}

),

quiz_attempts_numbered as (

    select * from {{ ref('int_quiz_attempts_numbered') }}

),

purchase_events as (

    select * from {{ ref('int_purchase_events_converted_to_usd') }}

),

sessions_checked as (

    select
        'user_app_sessions' as event_table,
        opened_at as occurred_at,
        received_at,
        false as is_missed
    from user_app_sessions

),

sessions_staged_counted as (

    select count(*) as staged_count
    from user_app_sessions

),

sessions_built_counted as (

    select count(*) as built_count
    from fct_app_sessions

),

sessions_missed as (

    select
        'user_app_sessions' as event_table,
        sessions_staged_counted.staged_count
        - sessions_built_counted.built_count as missed_events_count
    from sessions_staged_counted
    cross join sessions_built_counted

),

interactions_per_user_day as (

    select
        user_id,
        occurred_date,
        platform,
        count(*) as staged_count
    from user_course_interactions
    group by 1, 2, 3

),

interactions_missed_per_user_day as (

    {#- Interactions are aggregated, not kept row by row, downstream: a
        user-day-platform with more interactions in staging than in the
        aggregate has that many missed. -#}
    select
        interactions_per_user_day.user_id,
        interactions_per_user_day.occurred_date,
        interactions_per_user_day.platform,
        greatest(
            interactions_per_user_day.staged_count
            - coalesce(user_platform_days.course_interactions_count, 0),
            0
        ) as missed_count
    from interactions_per_user_day
    left join user_platform_days
        on
            interactions_per_user_day.user_id = user_platform_days.user_id
            and interactions_per_user_day.occurred_date
            = user_platform_days.activity_date
            and interactions_per_user_day.platform
            = user_platform_days.platform

),

interactions_checked as (

    select
        'user_course_interactions' as event_table,
        occurred_at,
        received_at,
        false as is_missed
    from user_course_interactions

),

quiz_attempts_checked as (

    select
        'quiz_attempts' as event_table,
        quiz_attempts.started_at as occurred_at,
        quiz_attempts.received_at,
        quiz_attempts_numbered.attempt_id is null as is_missed
    from quiz_attempts
    left join quiz_attempts_numbered
        on quiz_attempts.attempt_id = quiz_attempts_numbered.attempt_id

),

purchases_checked as (

    select
        'user_purchases' as event_table,
        user_purchases.occurred_at,
        user_purchases.received_at,
        purchase_events.event_id is null as is_missed
    from user_purchases
    left join purchase_events
        on user_purchases.event_id = purchase_events.event_id

),

unioned as (

    select * from sessions_checked
    union all
    select * from interactions_checked
    union all
    select * from quiz_attempts_checked
    union all
    select * from purchases_checked

),

summarized as (

    select
        event_table,
        count(*) as events_count,
        count(
            case
                when
                    {{ dbt.datediff('occurred_at', 'received_at', 'second') }}
                    > 3600
                    then 1
            end
        ) as late_events_count,
        cast(max(
            {{ dbt.datediff('occurred_at', 'received_at', 'second') }}
        ) as double) / 3600 as max_delay_hours,
        count(case when is_missed then 1 end) as missed_events_count
    from unioned
    group by 1

),

interactions_missed as (

    select
        'user_course_interactions' as event_table,
        sum(missed_count) as missed_events_count
    from interactions_missed_per_user_day

),

missed_counted as (

    select * from sessions_missed
    union all
    select * from interactions_missed

),

final as (

    select
        summarized.event_table,
        cast(summarized.events_count as bigint) as events_count,
        cast(summarized.late_events_count as bigint) as late_events_count,
        cast(summarized.max_delay_hours as double) as max_delay_hours,
        cast(
            coalesce(
                missed_counted.missed_events_count,
                summarized.missed_events_count
            ) as bigint
        ) as missed_events_count,
        {{ var('behavior__incremental_lookback_hours') }}
            as lookback_hours
    from summarized
    left join missed_counted
        on summarized.event_table = missed_counted.event_table

)

select * from final
