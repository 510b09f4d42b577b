{#- Every active day in fct_user_daily_activity has an app session of the
    user that touches the day: opened that day, or opened before it and
    still open on it (its end, estimated for crashed sessions, falls on or
    after the day). Returns the active days without one.
    An error on the complete sample (target sample, CI); a warning on a live
    loaded warehouse (target warehouse), where a late session can arrive
    after its events and must not stop the models downstream from building.
    The daily run checks the active days it rebuilt (recent_rows), against
    all sessions; a late session rebuilds its day, which is then checked
    again. -#}
{{ config(severity=('error' if target.name == 'sample' else 'warn')) }}

with

user_daily_activity as (

    select * from {{ recent_rows(ref('fct_user_daily_activity')) }}

),

app_sessions as (

    select * from {{ ref('fct_app_sessions') }}

),

days_with_sessions as (

    select distinct user_daily_activity.user_day_id
    from user_daily_activity
    inner join app_sessions
        on
            user_daily_activity.user_id = app_sessions.user_id
            and user_daily_activity.activity_date >= app_sessions.opened_date
            and user_daily_activity.activity_date <= app_sessions.ended_date

),

days_without_sessions as (

    select user_daily_activity.*
    from user_daily_activity
    left join days_with_sessions
        on user_daily_activity.user_day_id = days_with_sessions.user_day_id
    where days_with_sessions.user_day_id is null

)

select * from days_without_sessions
