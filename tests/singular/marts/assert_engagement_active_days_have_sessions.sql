{#- Every active day in fct_user_daily_activity has an app session of the
    user that touches the day: opened that day, or opened before it and
    still open on it (its end, estimated for crashed sessions, falls on or
    after the day). Returns the active days without one.
    An error on the complete sample (target sample, CI); a warning on a live
    loaded warehouse (target warehouse), where a late session can arrive
    after its events and must not stop the models downstream from building.
    The daily run checks the active days it rebuilt (recent_rows), against
    the sessions that can touch them: opened or ended on or after the
    earliest of those days (a session touches the days from its opened to
    its ended day); a late session rebuilds its day, which is then checked
    again. A complete build checks every day against every session. -#}
{{ config(severity=('error' if target.name == 'sample' else 'warn')) }}

with

user_daily_activity as (

    select * from {{ recent_rows(ref('fct_user_daily_activity')) }}

),

app_sessions as (

    select fct_app_sessions.*
    from {{ ref('fct_app_sessions') }} as fct_app_sessions
    {%- if recent_only_tests() %}
        where
            fct_app_sessions.opened_date
            >= (select min(activity_date) from user_daily_activity)
            or fct_app_sessions.ended_date
            >= (select min(activity_date) from user_daily_activity)
    {%- endif %}

),

days_without_opened_sessions as (

    {#- Most active days have a session opened that day: an anti join on
        (user, day) finds the others without comparing every active day of a
        user with every session of the user. -#}
    select user_daily_activity.*
    from user_daily_activity
    left join app_sessions
        on
            user_daily_activity.user_id = app_sessions.user_id
            and user_daily_activity.activity_date = app_sessions.opened_date
    where app_sessions.user_id is null

),

multi_day_sessions as (

    select
        user_id,
        opened_date,
        ended_date
    from app_sessions
    where ended_date > opened_date

),

days_with_earlier_sessions as (

    select distinct days_without_opened_sessions.user_day_id
    from days_without_opened_sessions
    inner join multi_day_sessions
        on
            days_without_opened_sessions.user_id = multi_day_sessions.user_id
            and days_without_opened_sessions.activity_date
            > multi_day_sessions.opened_date
            and days_without_opened_sessions.activity_date
            <= multi_day_sessions.ended_date

),

days_without_sessions as (

    select days_without_opened_sessions.*
    from days_without_opened_sessions
    left join days_with_earlier_sessions
        on
            days_without_opened_sessions.user_day_id
            = days_with_earlier_sessions.user_day_id
    where days_with_earlier_sessions.user_day_id is null

)

select * from days_without_sessions
