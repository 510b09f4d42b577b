{#- Daily engagement KPIs per platform, plus platform = 'all' for the whole
    app, computed once here (not for BI: the marts split them, totals in
    fct_engagement_daily, platforms in fct_engagement_daily_by_platform, so
    no table mixes total and breakdown rows). DAU / WAU / MAU are distinct
    active users (README "Active user / active day") over the trailing
    1 / 7 / 30 days including the day. Every
    util_days date gets a row per platform, with zeros where nothing
    happened; ratios are null when their denominator is zero.

    Incremental by affected date window, delete+insert by (day, platform): a
    run recomputes every day from the earliest day whose inputs changed (a
    user-day or session rebuilt since the watermark, a changed sign-up or
    install count, a new spine day, the first day `behavior reprocess` names)
    to the last, since a user-day on day A
    moves WAU / MAU up to A + 29. It reads the active user-days from that day
    on and, of the 30 days before it, each user's last one (window_user_days):
    a user active only earlier is in none of the windows it recomputes. -#}
{{ config(
    materialized='incremental',
    unique_key=['activity_date', 'platform'],
) }}

{%- set platforms = ['android', 'ios', 'web', 'all'] %}

with

days as (

    select * from {{ ref('util_days') }}

),

user_platform_days as {{ not_materialized() }} (

    select * from {{ ref('int_user_platform_days_aggregated') }}

),

user_daily_activity as (

    select * from {{ ref('fct_user_daily_activity') }}

),

app_sessions as {{ not_materialized() }} (

    select * from {{ ref('fct_app_sessions') }}

),

users as (

    select * from {{ ref('stg_app__users') }}

),

user_install_events as (

    select * from {{ ref('stg_app__user_install_events') }}

),

sign_ups as (

    select
        signed_up_date as activity_date,
        platform,
        user_id
    from users

    union all

    select
        signed_up_date as activity_date,
        'all' as platform,
        user_id
    from users

),

sign_ups_counted as (

    select
        activity_date,
        platform,
        count(*) as new_users_count
    from sign_ups
    group by 1, 2

),

install_events as (

    {#- Install events carry no platform: they count on the user's sign-up
        platform (web users never install). -#}
    select
        user_install_events.occurred_date as activity_date,
        users.platform,
        user_install_events.install_event_type
    from user_install_events
    inner join users
        on user_install_events.user_id = users.user_id

    union all

    select
        occurred_date as activity_date,
        'all' as platform,
        install_event_type
    from user_install_events

),

install_events_counted as (

    select
        activity_date,
        platform,
        count(
            case
                when install_event_type in ('install', 'reinstall') then 1
            end
        ) as installs_count,
        count(
            case when install_event_type = 'uninstall' then 1 end
        ) as uninstalls_count
    from install_events
    group by 1, 2

),

recompute_from as (

    {#- The first day to recompute: on a full build the first spine day. -#}
    {%- if is_incremental() %}
        select min(changed_date) as first_date
        from (
            select min(activity_date) as changed_date
            from user_platform_days
            where
                last_received_at
                > {{ incremental_watermark('last_received_at') }}

            union all

            select min(opened_date) as changed_date
            from app_sessions
            where
                last_received_at
                > {{ incremental_watermark('last_received_at') }}

            union all

            {%- if var('behavior__reprocess_from', none) %}
                select cast('{{ var("behavior__reprocess_from") }}' as date)
                    as changed_date

                union all
            {%- endif %}

            select min(days.date_day) as changed_date
            from days
            where
                days.date_day not in (
                    select existing_days.activity_date
                    from {{ this }} as existing_days
                )

            union all

            select min(counted.activity_date) as changed_date
            from (
                select
                    coalesce(
                        sign_ups_counted.activity_date,
                        install_events_counted.activity_date
                    ) as activity_date,
                    coalesce(
                        sign_ups_counted.platform,
                        install_events_counted.platform
                    ) as platform,
                    coalesce(sign_ups_counted.new_users_count, 0)
                        as new_users_count,
                    coalesce(install_events_counted.installs_count, 0)
                        as installs_count,
                    coalesce(install_events_counted.uninstalls_count, 0)
                        as uninstalls_count
                from sign_ups_counted
                full outer join install_events_counted
                    on
                        sign_ups_counted.activity_date
                        = install_events_counted.activity_date
                        and sign_ups_counted.platform
                        = install_events_counted.platform
            ) as counted
            inner join days
                on counted.activity_date = days.date_day
            left join {{ this }} as existing_counts
                on
                    counted.activity_date = existing_counts.activity_date
                    and counted.platform = existing_counts.platform
            where
                existing_counts.activity_date is null
                or counted.new_users_count != existing_counts.new_users_count
                or counted.installs_count != existing_counts.installs_count
                or counted.uninstalls_count
                != existing_counts.uninstalls_count
        ) as changes
    {%- else %}
        select min(date_day) as first_date
        from days
    {%- endif %}

),

day_platforms as (

    {%- for platform in platforms %}
        select
            days.date_day as activity_date,
            '{{ platform }}' as platform
        from days
        inner join recompute_from
            on days.date_day >= recompute_from.first_date
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}

),

active_user_days as (

    select
        user_id,
        activity_date,
        platform,
        last_received_at
    from user_platform_days

    union all

    select
        user_id,
        activity_date,
        'all' as platform,
        last_received_at
    from user_daily_activity

),

recomputed_user_days as (

    select active_user_days.*
    from active_user_days
    inner join recompute_from
        on active_user_days.activity_date >= recompute_from.first_date

),

window_user_days as (

    {#- The active days whose spans (below) can reach a recomputed day D:
        every one from the first recomputed day F on, and of the 30 days
        before F only each user's last one. An earlier one's span ends
        before that last day, so before F. On a full build F is the first
        spine day and the second part is empty; in a daily run it keeps a
        row per user and platform instead of every active day of 30 days. -#}
    select
        user_id,
        platform,
        activity_date
    from recomputed_user_days

    union all

    select
        active_user_days.user_id,
        active_user_days.platform,
        max(active_user_days.activity_date) as activity_date
    from active_user_days
    inner join recompute_from
        on
            active_user_days.activity_date
            >= {{ dbt.dateadd('day', -30, 'recompute_from.first_date') }}
            and active_user_days.activity_date < recompute_from.first_date
    group by 1, 2

),

active_user_days_sequenced as (

    select
        user_id,
        platform,
        activity_date,
        lead(activity_date) over (
            partition by user_id, platform
            order by activity_date
        ) as next_activity_date
    from window_user_days

),

window_deltas as (

    {#- Exact distinct counts over trailing windows without expanding every
        active day 30 times: a user is in the W-day window of day D when they
        were active on some day in (D - W, D]. Each active day A covers the
        days [A, min(A + W, next active day) - 1]; these spans do not overlap,
        so a +1 where a span starts and a -1 where it ends, summed in date
        order, give the number of distinct users in the window on every day.
        The spine's days enter with zero deltas so that each day has a row. -#}
    select
        platform,
        activity_date as delta_date,
        1 as dau_delta,
        1 as wau_delta,
        1 as mau_delta
    from active_user_days_sequenced

    union all

    select
        platform,
        {{ dbt.dateadd('day', 1, 'activity_date') }} as delta_date,
        -1 as dau_delta,
        0 as wau_delta,
        0 as mau_delta
    from active_user_days_sequenced

    union all

    select
        platform,
        least(
            {{ dbt.dateadd('day', 7, 'activity_date') }},
            coalesce(
                next_activity_date, {{ dbt.dateadd('day', 7, 'activity_date') }}
            )
        ) as delta_date,
        0 as dau_delta,
        -1 as wau_delta,
        0 as mau_delta
    from active_user_days_sequenced

    union all

    select
        platform,
        least(
            {{ dbt.dateadd('day', 30, 'activity_date') }},
            coalesce(
                next_activity_date,
                {{ dbt.dateadd('day', 30, 'activity_date') }}
            )
        ) as delta_date,
        0 as dau_delta,
        0 as wau_delta,
        -1 as mau_delta
    from active_user_days_sequenced

    union all

    select
        platform,
        activity_date as delta_date,
        0 as dau_delta,
        0 as wau_delta,
        0 as mau_delta
    from day_platforms

),

deltas_summed as (

    select
        platform,
        cast(delta_date as date) as delta_date,
        sum(dau_delta) as dau_delta,
        sum(wau_delta) as wau_delta,
        sum(mau_delta) as mau_delta
    from window_deltas
    group by 1, 2

),

active_users_counted as (

    select
        platform,
        delta_date as activity_date,
        sum(dau_delta) over (
            partition by platform
            order by delta_date
            rows between unbounded preceding and current row
        ) as dau,
        sum(wau_delta) over (
            partition by platform
            order by delta_date
            rows between unbounded preceding and current row
        ) as wau,
        sum(mau_delta) over (
            partition by platform
            order by delta_date
            rows between unbounded preceding and current row
        ) as mau
    from deltas_summed

),

last_received as (

    select
        platform,
        activity_date,
        max(last_received_at) as last_received_at
    from recomputed_user_days
    group by 1, 2

),

sessions as (

    select
        app_sessions.opened_date as activity_date,
        app_sessions.platform,
        app_sessions.session_seconds,
        app_sessions.is_bounce,
        app_sessions.is_crashed
    from app_sessions
    inner join recompute_from
        on app_sessions.opened_date >= recompute_from.first_date

    union all

    select
        app_sessions.opened_date as activity_date,
        'all' as platform,
        app_sessions.session_seconds,
        app_sessions.is_bounce,
        app_sessions.is_crashed
    from app_sessions
    inner join recompute_from
        on app_sessions.opened_date >= recompute_from.first_date

),

sessions_counted as (

    select
        activity_date,
        platform,
        count(*) as sessions_count,
        count(case when is_bounce then 1 end) as bounced_sessions_count,
        count(case when is_crashed then 1 end) as crashed_sessions_count,
        avg(session_seconds) as avg_session_seconds,
        percentile_cont(0.5) within group (
            order by session_seconds
        ) as median_session_seconds
    from sessions
    group by 1, 2

),

final as (

    select
        day_platforms.activity_date,
        day_platforms.platform,
        cast(coalesce(active_users_counted.dau, 0) as integer) as dau,
        cast(coalesce(active_users_counted.wau, 0) as integer) as wau,
        cast(coalesce(active_users_counted.mau, 0) as integer) as mau,
        cast(active_users_counted.dau as double)
        / nullif(active_users_counted.mau, 0) as stickiness,
        cast(coalesce(sign_ups_counted.new_users_count, 0) as integer)
            as new_users_count,
        cast(coalesce(install_events_counted.installs_count, 0) as integer)
            as installs_count,
        cast(coalesce(install_events_counted.uninstalls_count, 0) as integer)
            as uninstalls_count,
        cast(coalesce(sessions_counted.sessions_count, 0) as integer)
            as sessions_count,
        cast(sessions_counted.sessions_count as double)
        / nullif(active_users_counted.dau, 0) as sessions_per_user,
        cast(sessions_counted.avg_session_seconds as double)
            as avg_session_seconds,
        cast(sessions_counted.median_session_seconds as double)
            as median_session_seconds,
        cast(coalesce(sessions_counted.bounced_sessions_count, 0) as integer)
            as bounced_sessions_count,
        cast(sessions_counted.bounced_sessions_count as double)
        / nullif(sessions_counted.sessions_count, 0) as bounce_rate,
        cast(coalesce(sessions_counted.crashed_sessions_count, 0) as integer)
            as crashed_sessions_count,
        last_received.last_received_at

    from day_platforms
    left join active_users_counted
        on
            day_platforms.activity_date = active_users_counted.activity_date
            and day_platforms.platform = active_users_counted.platform
    left join sign_ups_counted
        on
            day_platforms.activity_date = sign_ups_counted.activity_date
            and day_platforms.platform = sign_ups_counted.platform
    left join install_events_counted
        on
            day_platforms.activity_date = install_events_counted.activity_date
            and day_platforms.platform = install_events_counted.platform
    left join sessions_counted
        on
            day_platforms.activity_date = sessions_counted.activity_date
            and day_platforms.platform = sessions_counted.platform
    left join last_received
        on
            day_platforms.activity_date = last_received.activity_date
            and day_platforms.platform = last_received.platform

)

select * from final
