{#- dim_users lifetime sessions and active days agree with the engagement
    facts they summarize. Returns the users where they differ. -#}

with

users as (

    select * from {{ ref('dim_users') }}

),

app_sessions as (

    select * from {{ ref('fct_app_sessions') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

sessions_per_user as (

    select
        user_id,
        count(*) as sessions_count
    from app_sessions
    group by 1

),

active_days_per_user as (

    select
        user_id,
        count(*) as active_days_count
    from user_daily_activity
    group by 1

),

mismatches as (

    select
        users.user_id,
        users.sessions_count,
        users.active_days_count,
        coalesce(sessions_per_user.sessions_count, 0) as fact_sessions_count,
        coalesce(active_days_per_user.active_days_count, 0)
            as fact_active_days_count
    from users
    left join sessions_per_user
        on users.user_id = sessions_per_user.user_id
    left join active_days_per_user
        on users.user_id = active_days_per_user.user_id
    where
        users.sessions_count != coalesce(sessions_per_user.sessions_count, 0)
        or users.active_days_count
        != coalesce(active_days_per_user.active_days_count, 0)

)

select * from mismatches
