{#- The first and last calendar day with any event in staging: the bounds of
    the date spine util_days. Each staging table is reduced to its own min and
    max first, so the union stays tiny. A day the spine cannot hold (macro
    is_within_date_spine: a sentinel such as 0001-01-01 or infinity from
    another writer than the loader) is left out: it would stretch the spine
    over every day up to its bound, and the daily marts and the MIS report
    with it. -#}

with

users as (

    select * from {{ ref('stg_app__users') }}

),

user_install_events as (

    select * from {{ ref('stg_app__user_install_events') }}

),

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

bounds_per_table as (

    select
        'users' as table_name,
        min(signed_up_date) as first_event_date,
        max(signed_up_date) as last_event_date
    from users
    where {{ is_within_date_spine('signed_up_date') }}

    union all

    select
        'user_install_events' as table_name,
        min(occurred_date) as first_event_date,
        max(occurred_date) as last_event_date
    from user_install_events
    where {{ is_within_date_spine('occurred_date') }}

    union all

    select
        'user_app_sessions' as table_name,
        min(opened_date) as first_event_date,
        max(opened_date) as last_event_date
    from user_app_sessions
    where {{ is_within_date_spine('opened_date') }}

    union all

    select
        'user_course_interactions' as table_name,
        min(occurred_date) as first_event_date,
        max(occurred_date) as last_event_date
    from user_course_interactions
    where {{ is_within_date_spine('occurred_date') }}

    union all

    select
        'quiz_attempts' as table_name,
        min(started_date) as first_event_date,
        max(started_date) as last_event_date
    from quiz_attempts
    where {{ is_within_date_spine('started_date') }}

    union all

    select
        'user_purchases' as table_name,
        min(occurred_date) as first_event_date,
        max(occurred_date) as last_event_date
    from user_purchases
    where {{ is_within_date_spine('occurred_date') }}

),

summarized as (

    select
        'all' as event_dates_id,
        min(first_event_date) as first_event_date,
        max(last_event_date) as last_event_date
    from bounds_per_table

)

select * from summarized
