{#- Incremental, delete+insert by user: a session's number and the gap since
    the previous one depend on the user's whole history, so every user with a
    session received since the watermark has all their sessions rebuilt (the
    idea of Snowplow's session manifest, one level up). -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='user_id',
    on_schema_change='fail',
) }}

with

all_user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

all_session_screen_views as (

    select * from {{ ref('stg_app__session_screen_views') }}

),

all_session_features as (

    select * from {{ ref('stg_app__session_features') }}

),

reprocessed_users as (

    select distinct user_id
    from all_user_app_sessions
    where {{ is_reprocessed('received_at', 'opened_date') }}

),

user_app_sessions as (

    select all_user_app_sessions.*
    from all_user_app_sessions
    inner join reprocessed_users
        on all_user_app_sessions.user_id = reprocessed_users.user_id

),

session_screen_views as (

    select all_session_screen_views.*
    from all_session_screen_views
    inner join user_app_sessions
        on all_session_screen_views.session_id = user_app_sessions.session_id

),

session_features as (

    select all_session_features.*
    from all_session_features
    inner join user_app_sessions
        on all_session_features.session_id = user_app_sessions.session_id

),

screen_views_aggregated as (

    select
        session_id,
        count(*) as screens_viewed_count,
        count(distinct screen_name) as distinct_screens_count,
        min(step_number) as first_step_number,
        max(step_number) as last_step_number,
        max(viewed_at) as last_viewed_at
    from session_screen_views
    group by 1

),

entry_and_exit_screens as (

    select
        screen_views_aggregated.session_id,
        screen_views_aggregated.screens_viewed_count,
        screen_views_aggregated.distinct_screens_count,
        screen_views_aggregated.last_viewed_at,
        max(
            case
                when
                    session_screen_views.step_number
                    = screen_views_aggregated.first_step_number
                    then session_screen_views.screen_name
            end
        ) as entry_screen,
        max(
            case
                when
                    session_screen_views.step_number
                    = screen_views_aggregated.last_step_number
                    then session_screen_views.screen_name
            end
        ) as exit_screen
    from screen_views_aggregated
    inner join session_screen_views
        on screen_views_aggregated.session_id = session_screen_views.session_id
    group by 1, 2, 3, 4

),

features_counted as (

    select
        session_id,
        count(*) as features_used_count
    from session_features
    group by 1

),

sessions_measured as (

    {#- Crashed sessions have no close time: their length is estimated as the
        time to the last navigation step (the open when there is none) plus
        var behavior__crashed_session_tail_seconds, and never less than the
        foreground (active) seconds the app reported. -#}
    select
        user_app_sessions.session_id,
        user_app_sessions.user_id,
        user_app_sessions.platform,
        user_app_sessions.app_version,
        user_app_sessions.opened_at,
        user_app_sessions.opened_date,
        user_app_sessions.closed_at,
        user_app_sessions.is_crashed,
        user_app_sessions.is_crashed as is_duration_estimated,
        user_app_sessions.active_seconds,
        user_app_sessions.received_at,
        case
            when not user_app_sessions.is_crashed
                then {{ dbt.datediff(
                    'user_app_sessions.opened_at',
                    'user_app_sessions.closed_at',
                    'second'
                ) }}
            else greatest(
                {{ dbt.datediff(
                    'user_app_sessions.opened_at',
                    'coalesce(entry_and_exit_screens.last_viewed_at, '
                    ~ 'user_app_sessions.opened_at)',
                    'second'
                ) }}
                + {{ var('behavior__crashed_session_tail_seconds') }},
                user_app_sessions.active_seconds
            )
        end as session_seconds,
        coalesce(entry_and_exit_screens.screens_viewed_count, 0)
            as screens_viewed_count,
        coalesce(entry_and_exit_screens.distinct_screens_count, 0)
            as distinct_screens_count,
        coalesce(features_counted.features_used_count, 0)
            as features_used_count,
        entry_and_exit_screens.entry_screen,
        entry_and_exit_screens.exit_screen

    from user_app_sessions
    left join entry_and_exit_screens
        on user_app_sessions.session_id = entry_and_exit_screens.session_id
    left join features_counted
        on user_app_sessions.session_id = features_counted.session_id

),

sessions_ended as (

    select
        sessions_measured.*,
        coalesce(
            sessions_measured.closed_at,
            {{ dbt.dateadd(
                'second', 'sessions_measured.session_seconds',
                'sessions_measured.opened_at'
            ) }}
        ) as ended_at
    from sessions_measured

),

sessions_sequenced as (

    select
        sessions_ended.*,
        row_number() over (
            partition by sessions_ended.user_id
            order by sessions_ended.opened_at, sessions_ended.session_id
        ) as user_session_number,
        lag(sessions_ended.ended_at) over (
            partition by sessions_ended.user_id
            order by sessions_ended.opened_at, sessions_ended.session_id
        ) as previous_session_ended_at
    from sessions_ended

),

final as (

    {#- A bounce (the issue's definition): at most one screen viewed OR a
        session under 10 seconds. PostHog's web-analytics bounce is stricter
        (one pageview AND no autocapture AND under 10 s); see the yml. -#}
    select
        session_id,
        user_id,
        platform,
        app_version,
        opened_at,
        opened_date,
        closed_at,
        cast(ended_at as timestamp) as ended_at,
        {{ to_reporting_date('ended_at') }} as ended_date,
        is_crashed,
        is_duration_estimated,
        cast(session_seconds as integer) as session_seconds,
        cast(active_seconds as integer) as active_seconds,
        cast(screens_viewed_count as integer) as screens_viewed_count,
        cast(distinct_screens_count as integer) as distinct_screens_count,
        cast(features_used_count as integer) as features_used_count,
        entry_screen,
        exit_screen,
        (
            screens_viewed_count <= 1
            or session_seconds < 10
        ) as is_bounce,
        cast(user_session_number as integer) as user_session_number,
        user_session_number = 1 as is_first_session,
        cast(
            {{ dbt.datediff(
                'previous_session_ended_at', 'opened_at', 'second'
            ) }} as integer
        ) as seconds_since_previous_session,
        received_at as last_received_at

    from sessions_sequenced

)

select * from final
