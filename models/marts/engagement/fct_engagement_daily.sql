{#- The whole app's daily engagement KPIs: the 'all' rows of
    int_engagement_days_aggregated, without a platform column. -#}

with

engagement_days as (

    select * from {{ ref('int_engagement_days_aggregated') }}

),

whole_app as (

    select
        activity_date,
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
    where platform = 'all'

)

select * from whole_app
