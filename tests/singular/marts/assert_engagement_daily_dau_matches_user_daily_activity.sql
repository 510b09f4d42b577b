{#- DAU of fct_engagement_daily (the whole app) equals the distinct users of
    fct_user_daily_activity on that day, for every day. Returns the days
    where they differ.
    The daily run checks the days from the earliest active day it rebuilt
    (recent_rows of fct_user_daily_activity) to the last, each against all
    of its user-days: a day's DAU reads only that day's user-days, so an
    earlier day has the user-days it had when an earlier run checked it.
    With no rebuilt active day it checks the last day. A complete build
    checks every day. -#}

with

engagement_daily as (

    select * from {{ ref('fct_engagement_daily') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

recent_user_days as (

    select * from {{ recent_rows(ref('fct_user_daily_activity')) }}

),

first_checked_day as (  -- noqa: ST03

    {#- Read in the daily run only. #}
    select
        coalesce(
            min(recent_user_days.activity_date),
            (
                select max(engagement_daily.activity_date) as last_date
                from engagement_daily
            )
        ) as activity_date
    from recent_user_days

),

checked_days as (

    select engagement_daily.*
    from engagement_daily
    {%- if recent_only_tests() %}
        where
            engagement_daily.activity_date
            >= (select first_checked_day.activity_date from first_checked_day)
    {%- endif %}

),

checked_user_days as (

    select user_daily_activity.*
    from user_daily_activity
    {%- if recent_only_tests() %}
        where
            user_daily_activity.activity_date
            >= (select first_checked_day.activity_date from first_checked_day)
    {%- endif %}

),

users_per_day as (

    select
        activity_date,
        count(distinct user_id) as active_users_count
    from checked_user_days
    group by 1

),

compared as (

    select
        checked_days.activity_date,
        checked_days.dau,
        coalesce(users_per_day.active_users_count, 0) as active_users_count
    from checked_days
    left join users_per_day
        on checked_days.activity_date = users_per_day.activity_date

),

mismatches as (

    select *
    from compared
    where dau != active_users_count

)

select * from mismatches
