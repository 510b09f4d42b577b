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
    side that cost 2 of the model's 6 CPU-seconds at 10M raw rows. Quiz
    attempts and purchase events likewise: int_quiz_attempts_numbered and
    fct_commerce_events hold one row per staged attempt /
    event (one fx rate per currency), so staged minus built rows. A
    negative count (a built row that staging no longer has) fails the
    report's range rule: our logic, not the data, would be wrong. -#}

{%- set delay_seconds = dbt.datediff('occurred_at', 'received_at', 'second') -%}

{#- Event tables whose first model holds one row per staged row: (event
    table, staged CTE, built CTE). -#}
{%- set built_one_per_staged_row = [
    ('user_app_sessions', 'user_app_sessions', 'fct_app_sessions'),
    ('quiz_attempts', 'quiz_attempts', 'quiz_attempts_numbered'),
    ('user_purchases', 'user_purchases', 'purchase_events'),
] %}

with

user_app_sessions as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

user_course_interactions as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__user_course_interactions') }}

),

quiz_attempts as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__quiz_attempts') }}

),

user_purchases as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('stg_app__user_purchases') }}

),

fct_app_sessions as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('fct_app_sessions') }}

),

user_platform_days as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('int_user_platform_days_aggregated') }}

),

quiz_attempts_numbered as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('int_quiz_attempts_numbered') }}

),

purchase_events as {{ not_materialized(full_build=true) }} (

    select * from {{ ref('fct_commerce_events') }}

),

sessions_checked as (

    select
        'user_app_sessions' as event_table,
        opened_at as occurred_at,
        opened_date as occurred_date,
        received_at
    from user_app_sessions

),

interactions_per_user_day as (

    {#- A day the date spine cannot hold is no active day (macro
        is_within_date_spine): its interactions are not in the aggregate, by
        design, not missed. -#}
    select
        user_id,
        occurred_date,
        platform,
        count(*) as staged_count
    from user_course_interactions
    where {{ is_within_date_spine('occurred_date') }}
    group by 1, 2, 3

),

user_days_with_interactions as (

    {#- The aggregate's user-days with an interaction: one without any
        subtracts nothing below, joined or not (59 % of them at 10M raw rows,
        which the join read for nothing). -#}
    select
        user_id,
        activity_date,
        platform,
        course_interactions_count
    from user_platform_days
    where course_interactions_count > 0

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
            - coalesce(
                user_days_with_interactions.course_interactions_count, 0
            ),
            0
        ) as missed_count
    from interactions_per_user_day
    left join user_days_with_interactions
        on
            interactions_per_user_day.user_id
            = user_days_with_interactions.user_id
            and interactions_per_user_day.occurred_date
            = user_days_with_interactions.activity_date
            and interactions_per_user_day.platform
            = user_days_with_interactions.platform

),

interactions_checked as (

    select
        'user_course_interactions' as event_table,
        occurred_at,
        occurred_date,
        received_at
    from user_course_interactions

),

quiz_attempts_checked as (

    select
        'quiz_attempts' as event_table,
        started_at as occurred_at,
        started_date as occurred_date,
        received_at
    from quiz_attempts

),

purchases_checked as (

    select
        'user_purchases' as event_table,
        occurred_at,
        occurred_date,
        received_at
    from user_purchases

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

    {#- Lateness is the pipeline's: an event dated on a day the date spine
        cannot hold (a sentinel such as 0001-01-01 from another writer) has a
        wrong clock, not a delay (counted in rpt_data_quality,
        <table>_dated_outside_the_date_spine), and is left out of the late
        count and the longest delay; events_count counts it. -#}
    select
        event_table,
        count(*) as events_count,
        count(
            case
                when
                    {{ is_within_date_spine('occurred_date') }}
                    and {{ delay_seconds }} > 3600
                    then 1
            end
        ) as late_events_count,
        cast(max(
            case
                when {{ is_within_date_spine('occurred_date') }}
                    then {{ delay_seconds }}
            end
        ) as double) / 3600 as max_delay_hours
    from unioned
    group by 1

),

interactions_missed as (

    select
        'user_course_interactions' as event_table,
        sum(missed_count) as missed_events_count
    from interactions_missed_per_user_day

),

rows_signed as (

    {#- Staged rows count +1, rows of the model built from them -1: per table
        the sum is the staged rows with no built row (see the header). -#}
    {%- for event_table, staged, built in built_one_per_staged_row %}
        select
            '{{ event_table }}' as event_table,
            count(*) as signed_rows_count
        from {{ staged }}
        union all
        select
            '{{ event_table }}' as event_table,
            -count(*) as signed_rows_count
        from {{ built }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

rows_missed as (

    select
        event_table,
        sum(signed_rows_count) as missed_events_count
    from rows_signed
    group by 1

),

missed_counted as (

    select * from rows_missed
    union all
    select * from interactions_missed

),

final as (

    select
        summarized.event_table,
        cast(summarized.events_count as bigint) as events_count,
        cast(summarized.late_events_count as bigint) as late_events_count,
        cast(summarized.max_delay_hours as double) as max_delay_hours,
        cast(missed_counted.missed_events_count as bigint)
            as missed_events_count,
        {{ var('behavior__incremental_lookback_hours') }}
            as lookback_hours
    from summarized
    left join missed_counted
        on summarized.event_table = missed_counted.event_table

)

select * from final
