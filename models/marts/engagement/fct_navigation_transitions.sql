{#- Screen-to-screen transitions within sessions over the whole data range:
    each navigation step points to the session's next step, and the last
    step of a session points to 'exit'. A table over the small per-day
    aggregate int_session_transitions_aggregated (incremental, per day and
    received day). -#}

with

session_transitions as (

    select * from {{ ref('int_session_transitions_aggregated') }}

),

transitions_and_sessions as (

    {#- The groups add up: every session belongs to exactly one (opened day,
        received day). -#}
    select
        from_screen,
        to_screen,
        sum(transitions_count) as transitions_count,
        sum(sessions_count) as sessions_count
    from session_transitions
    group by 1, 2

),

from_screens_totaled as (

    select
        transitions_and_sessions.*,
        sum(transitions_and_sessions.transitions_count) over (
            partition by transitions_and_sessions.from_screen
        ) as from_screen_transitions_count,
        sum(
            case
                when transitions_and_sessions.to_screen = 'exit'
                    then transitions_and_sessions.transitions_count
                else 0
            end
        ) over (
            partition by transitions_and_sessions.from_screen
        ) as from_screen_exits_count
    from transitions_and_sessions

),

final as (

    select
        {{ surrogate_key(['from_screen', 'to_screen']) }} as transition_id,
        from_screen,
        to_screen,
        to_screen = 'exit' as is_exit,
        cast(transitions_count as integer) as transitions_count,
        cast(sessions_count as integer) as sessions_count,
        cast(from_screen_transitions_count as integer)
            as from_screen_transitions_count,
        cast(transitions_count as double)
        / from_screen_transitions_count as transition_share_rate,
        cast(from_screen_exits_count as integer) as from_screen_exits_count,
        cast(from_screen_exits_count as double)
        / from_screen_transitions_count as from_screen_exit_rate
    from from_screens_totaled

)

select * from final
