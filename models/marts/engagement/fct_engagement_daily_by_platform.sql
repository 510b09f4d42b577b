{#- Daily engagement KPIs per platform (android, ios, web): the platform
    rows of int_engagement_days_aggregated; the totals are in
    fct_engagement_daily. -#}

with

engagement_days as (

    select * from {{ ref('int_engagement_days_aggregated') }}

),

platforms as (

    select
        activity_date,
        platform,
        dau,
        wau,
        mau,
        stickiness,
        new_users_count,
        installs_count,
        uninstalls_count,
        sessions_count,
        sessions_per_user,
        avg_session_seconds,
        median_session_seconds,
        bounced_sessions_count,
        bounce_rate,
        crashed_sessions_count

    from engagement_days
    where platform != 'all'

)

select * from platforms
