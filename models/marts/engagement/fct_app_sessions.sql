{#- Incremental, delete+insert by session: a session's number and the gap
    since the previous one depend on the user's earlier sessions, so for every
    user with a session received since the watermark, the sessions from the
    earliest such one on are rebuilt whole (the idea of Snowplow's session
    manifest). Their numbering continues from the count of the user's earlier
    sessions already in this table, and the first one's gap from the last of
    those, so the run never re-reads a user's older history. -#}
{{ config(
    materialized='incremental',
    unique_key='session_id',
) }}

with

all_user_app_sessions as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

reprocessed_users as (  -- noqa: ST03

    select
        user_id,
        min(opened_at) as reprocessed_from
    from all_user_app_sessions
    where {{ is_reprocessed('received_at', 'opened_date') }}
    group by 1

),

user_app_sessions as (

    select all_user_app_sessions.*
    from all_user_app_sessions
    {% if is_incremental() %}
        inner join reprocessed_users
            on
                all_user_app_sessions.user_id = reprocessed_users.user_id
                and all_user_app_sessions.opened_at
                >= reprocessed_users.reprocessed_from
    {% endif %}

),

earlier_sessions as (

    {#- Per reprocessed user: how many sessions they had before the rebuilt
        ones, and when the last of them ended (none on a full build). -#}
    {% if is_incremental() %}
        select
            this_sessions.user_id,
            count(*) as earlier_sessions_count,
            {{ arg_max(
                'this_sessions.ended_at', 'this_sessions.user_session_number'
            ) }} as last_earlier_ended_at
        from {{ this }} as this_sessions
        inner join reprocessed_users
            on
                this_sessions.user_id = reprocessed_users.user_id
                and this_sessions.opened_at < reprocessed_users.reprocessed_from
        group by 1
    {% else %}
        select
            cast(null as string) as user_id,
            cast(0 as bigint) as earlier_sessions_count,
            cast(null as timestamp) as last_earlier_ended_at
        where false
    {% endif %}

),

session_screens as (

    select
        user_app_sessions.*,
        {{ list_transform(
            'user_app_sessions.navigation_steps', 'step', 'step.screen_name'
        ) }} as screen_names
    from user_app_sessions

),

navigation_measured as (

    {#- Per-row list measures on the parsed navigation history (no unnest and
        no group by): the entry screen is the first step, the exit screen the
        last, and the distinct count ignores steps without a screen. -#}
    select
        session_screens.*,
        coalesce({{ list_length('session_screens.navigation_steps') }}, 0)
            as screens_viewed_count,
        coalesce(
            {{ list_length(list_distinct('session_screens.screen_names')) }}, 0
        ) as distinct_screens_count,
        coalesce({{ list_length('session_screens.features_used') }}, 0)
            as features_used_count,
        {{ list_element('session_screens.navigation_steps', 1) }}.screen_name
            as entry_screen,
        {{ list_element('session_screens.navigation_steps', -1) }}.screen_name
            as exit_screen,
        {{ list_max(list_transform(
            'session_screens.navigation_steps', 'step', 'step.viewed_at'
        )) }} as last_viewed_at

    from session_screens

),

sessions_measured as (

    {#- Crashed sessions have no close time: their length is estimated as the
        time to the last navigation step (the open when there is none) plus
        var behavior__crashed_session_tail_seconds, and never less than the
        foreground (active) seconds the app reported, nor than 0 (a step time
        before the open, negative active seconds: anomalies). So is a session closed
        before it opened (a device clock change: the close is unusable; an
        anomaly fct_app_sessions__anomaly_checks counts). -#}
    {%- set close_unusable = '(is_crashed or closed_at < opened_at)' %}
    select
        session_id,
        user_id,
        platform,
        app_version,
        opened_at,
        opened_date,
        closed_at,
        is_crashed,
        {{ close_unusable }} as is_duration_estimated,
        active_seconds,
        received_at,
        case
            when not {{ close_unusable }}
                then {{ dbt.datediff('opened_at', 'closed_at', 'second') }}
            else greatest(
                {{ dbt.datediff(
                    'opened_at',
                    'coalesce(last_viewed_at, opened_at)',
                    'second'
                ) }}
                + {{ var('behavior__crashed_session_tail_seconds') }},
                active_seconds,
                0
            )
        end as session_seconds,
        screens_viewed_count,
        distinct_screens_count,
        features_used_count,
        entry_screen,
        exit_screen

    from navigation_measured

),

sessions_ended as (

    select
        sessions_measured.*,
        case
            when sessions_measured.is_duration_estimated
                then {{ add_seconds(
                    'sessions_measured.opened_at',
                    'sessions_measured.session_seconds'
                ) }}
            else sessions_measured.closed_at
        end as ended_at
    from sessions_measured

),

sessions_ordered as (

    select
        sessions_ended.*,
        row_number() over (
            partition by sessions_ended.user_id
            order by sessions_ended.opened_at, sessions_ended.session_id
        ) as rebuilt_session_number,
        lag(sessions_ended.ended_at) over (
            partition by sessions_ended.user_id
            order by sessions_ended.opened_at, sessions_ended.session_id
        ) as previous_rebuilt_ended_at
    from sessions_ended

),

sessions_sequenced as (

    select
        sessions_ordered.*,
        coalesce(earlier_sessions.earlier_sessions_count, 0)
        + sessions_ordered.rebuilt_session_number as user_session_number,
        case
            when sessions_ordered.rebuilt_session_number = 1
                then earlier_sessions.last_earlier_ended_at
            else sessions_ordered.previous_rebuilt_ended_at
        end as previous_session_ended_at
    from sessions_ordered
    left join earlier_sessions
        on sessions_ordered.user_id = earlier_sessions.user_id

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
        cast(session_seconds as bigint) as session_seconds,
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
            ) }} as bigint
        ) as seconds_since_previous_session,
        received_at as last_received_at

    from sessions_sequenced

)

select * from final
