{#- The days the MIS report covers: util_days up to the latest complete day.
    A day is complete once the collector has received data stamped on a
    later day (max received_at of the event tables falls after it), so a
    day still being collected is never reported as a drop. -#}

with

days as (

    select * from {{ ref('util_days') }}

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

received_bounds as (

    select max(received_at) as last_received_at from user_app_sessions
    union all
    select max(received_at) as last_received_at from user_course_interactions
    union all
    select max(received_at) as last_received_at from quiz_attempts
    union all
    select max(received_at) as last_received_at from user_purchases

),

latest_complete_day as (

    select
        cast({{ dbt.dateadd(
            'day', -1, to_reporting_date('max(last_received_at)')
        ) }} as date) as latest_complete_date

    from received_bounds

),

days_bounded as (

    select days.date_day as report_date

    from days
    cross join latest_complete_day
    where days.date_day <= latest_complete_day.latest_complete_date

),

latest_day_flagged as (

    select
        report_date,
        report_date = max(report_date) over () as is_latest_complete_day

    from days_bounded

)

select * from latest_day_flagged
