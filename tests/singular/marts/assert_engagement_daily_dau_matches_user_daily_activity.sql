{#- DAU of fct_engagement_daily (the whole app) equals the distinct users of
    fct_user_daily_activity on that day, for every day. Returns the days
    where they differ. -#}

with

engagement_daily as (

    select * from {{ ref('fct_engagement_daily') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

users_per_day as (

    select
        activity_date,
        count(distinct user_id) as active_users_count
    from user_daily_activity
    group by 1

),

compared as (

    select
        engagement_daily.activity_date,
        engagement_daily.dau,
        coalesce(users_per_day.active_users_count, 0) as active_users_count
    from engagement_daily
    left join users_per_day
        on engagement_daily.activity_date = users_per_day.activity_date

),

mismatches as (

    select *
    from compared
    where dau != active_users_count

)

select * from mismatches
