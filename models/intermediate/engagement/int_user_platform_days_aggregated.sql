{#- Everything that makes a user ACTIVE on a day (README "Active user /
    active day"): an app session opened that day, or any course interaction,
    quiz attempt or user-initiated commerce event (cart add, purchase attempt,
    completed transaction; not a refund, which is server-side, nor a type
    outside the contract) that day. Each source is aggregated to user x day x
    platform first (one scan each), then the partial counts are added up. A
    day the date spine cannot hold (macro is_within_date_spine: a sentinel
    such as 0001-01-01, or infinity, from another writer than the loader) is
    no active day: its rows stay in the event facts, and no daily mart,
    lifecycle period, cohort or first active day reads them. -#}

{#- Incremental, delete+insert by user-day: every user-day touched by a row
    received since the watermark is rebuilt from all of that day's rows. -#}
{{ config(
    materialized='incremental',
    unique_key=['user_id', 'activity_date'],
) }}

with

all_user_app_sessions as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_app_sessions') }}
    where {{ is_within_date_spine('opened_date') }}

),

all_user_course_interactions as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_course_interactions') }}
    where {{ is_within_date_spine('occurred_date') }}

),

all_quiz_attempts as {{ not_materialized() }} (

    select * from {{ ref('stg_app__quiz_attempts') }}
    where {{ is_within_date_spine('started_date') }}

),

all_user_purchases as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_purchases') }}
    where
        {{ is_user_initiated_commerce_event() }}
        and {{ is_within_date_spine('occurred_date') }}

),

reprocessed_user_days as (  -- noqa: ST03

    select
        user_id,
        opened_date as activity_date
    from all_user_app_sessions
    where {{ is_reprocessed('received_at', 'opened_date') }}
    union
    select
        user_id,
        occurred_date as activity_date
    from all_user_course_interactions
    where {{ is_reprocessed('received_at', 'occurred_date') }}
    union
    select
        user_id,
        started_date as activity_date
    from all_quiz_attempts
    where {{ is_reprocessed('received_at', 'started_date') }}
    union
    select
        user_id,
        occurred_date as activity_date
    from all_user_purchases
    where {{ is_reprocessed('received_at', 'occurred_date') }}

),

user_app_sessions as (

    {{ select_reprocessed(
        'all_user_app_sessions',
        'reprocessed_user_days',
        {
            'user_id': 'user_id',
            'opened_date': 'activity_date'
        }
    ) }}

),

user_course_interactions as (

    {{ select_reprocessed(
        'all_user_course_interactions',
        'reprocessed_user_days',
        {
            'user_id': 'user_id',
            'occurred_date': 'activity_date'
        }
    ) }}

),

quiz_attempts as (

    {{ select_reprocessed(
        'all_quiz_attempts',
        'reprocessed_user_days',
        {
            'user_id': 'user_id',
            'started_date': 'activity_date'
        }
    ) }}

),

user_purchases as (

    {{ select_reprocessed(
        'all_user_purchases',
        'reprocessed_user_days',
        {
            'user_id': 'user_id',
            'occurred_date': 'activity_date'
        }
    ) }}

),

sessions_aggregated as (

    select
        user_id,
        opened_date as activity_date,
        platform,
        count(*) as sessions_count,
        sum(active_seconds) as active_seconds,
        0 as course_interactions_count,
        0 as module_events_count,
        0 as quiz_attempts_count,
        0 as commerce_events_count,
        0 as purchases_count,
        max(received_at) as last_received_at
    from user_app_sessions
    group by 1, 2, 3

),

course_interactions_aggregated as (

    select
        user_id,
        occurred_date as activity_date,
        platform,
        0 as sessions_count,
        0 as active_seconds,
        count(*) as course_interactions_count,
        count(
            case
                when event_type in (
                    'module_start', 'module_complete', 'progress_update'
                ) then event_id
            end
        ) as module_events_count,
        0 as quiz_attempts_count,
        0 as commerce_events_count,
        0 as purchases_count,
        max(received_at) as last_received_at
    from user_course_interactions
    group by 1, 2, 3

),

quiz_attempts_aggregated as (

    select
        user_id,
        started_date as activity_date,
        platform,
        0 as sessions_count,
        0 as active_seconds,
        0 as course_interactions_count,
        0 as module_events_count,
        count(*) as quiz_attempts_count,
        0 as commerce_events_count,
        0 as purchases_count,
        max(received_at) as last_received_at
    from quiz_attempts
    group by 1, 2, 3

),

commerce_events_aggregated as (

    select
        user_id,
        occurred_date as activity_date,
        platform,
        0 as sessions_count,
        0 as active_seconds,
        0 as course_interactions_count,
        0 as module_events_count,
        0 as quiz_attempts_count,
        count(*) as commerce_events_count,
        count(
            case when event_type = 'transaction_completed' then event_id end
        ) as purchases_count,
        max(received_at) as last_received_at
    from user_purchases
    group by 1, 2, 3

),

unioned as (

    select * from sessions_aggregated
    union all
    select * from course_interactions_aggregated
    union all
    select * from quiz_attempts_aggregated
    union all
    select * from commerce_events_aggregated

),

aggregated as (

    select
        user_id,
        activity_date,
        platform,
        cast(sum(sessions_count) as integer) as sessions_count,
        cast(sum(active_seconds) as bigint) as active_seconds,
        cast(sum(course_interactions_count) as integer)
            as course_interactions_count,
        cast(sum(module_events_count) as integer) as module_events_count,
        cast(sum(quiz_attempts_count) as integer) as quiz_attempts_count,
        cast(sum(commerce_events_count) as integer) as commerce_events_count,
        cast(sum(purchases_count) as integer) as purchases_count,
        max(last_received_at) as last_received_at
    from unioned
    group by 1, 2, 3

),

final as (

    select
        {{ surrogate_key(['user_id', 'activity_date', 'platform']) }}
            as user_platform_day_id,
        user_id,
        activity_date,
        platform,
        sessions_count,
        active_seconds,
        course_interactions_count,
        module_events_count,
        quiz_attempts_count,
        module_events_count + quiz_attempts_count as learning_events_count,
        commerce_events_count,
        purchases_count,
        sessions_count
        + course_interactions_count
        + quiz_attempts_count
        + commerce_events_count as activity_events_count,
        last_received_at
    from aggregated

)

select * from final
