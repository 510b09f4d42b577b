{#- Screen-to-screen transitions within sessions over the whole data range:
    each navigation step points to the session's next step, and the last
    step of a session points to 'exit'. -#}

with

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

session_screens as (

    select
        session_id,
        list_transform(
            navigation_steps, lambda step: step.screen_name
        ) as screens
    from user_app_sessions
    where len(navigation_steps) > 0

),

session_transitions as (

    {#- Each session's screens paired with the next one ('exit' after the
        last), built per row from the parsed navigation list: no window over
        every screen view. -#}
    select
        session_id,
        list_zip(screens, list_concat(screens[2:], ['exit'])) as transitions
    from session_screens

),

transitions_unnested as (

    select unnest(transitions) as transition
    from session_transitions

),

session_transitions_unnested as (

    {#- A session counts once per distinct transition it made. -#}
    select unnest(list_distinct(transitions)) as transition
    from session_transitions

),

transitions_counted as (

    select
        transition[1] as from_screen,
        transition[2] as to_screen,
        count(*) as transitions_count
    from transitions_unnested
    group by 1, 2

),

sessions_counted as (

    select
        transition[1] as from_screen,
        transition[2] as to_screen,
        count(*) as sessions_count
    from session_transitions_unnested
    group by 1, 2

),

transitions_and_sessions as (

    select
        transitions_counted.from_screen,
        transitions_counted.to_screen,
        transitions_counted.transitions_count,
        sessions_counted.sessions_count
    from transitions_counted
    inner join sessions_counted
        on
            transitions_counted.from_screen
            is not distinct from sessions_counted.from_screen
            and transitions_counted.to_screen
            is not distinct from sessions_counted.to_screen

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
