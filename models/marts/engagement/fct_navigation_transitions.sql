{#- Screen-to-screen transitions within sessions over the whole data range:
    each navigation step points to the session's next step, and the last
    step of a session points to 'exit'. -#}

with

session_screen_views as (

    select * from {{ ref('stg_app__session_screen_views') }}

),

steps_with_next_screen as (

    select
        session_id,
        screen_name as from_screen,
        coalesce(
            lead(screen_name) over (
                partition by session_id
                order by step_number
            ),
            'exit'
        ) as to_screen
    from session_screen_views

),

transitions_counted as (

    select
        from_screen,
        to_screen,
        count(*) as transitions_count,
        count(distinct session_id) as sessions_count
    from steps_with_next_screen
    group by 1, 2

),

from_screens_totaled as (

    select
        transitions_counted.*,
        sum(transitions_counted.transitions_count) over (
            partition by transitions_counted.from_screen
        ) as from_screen_transitions_count,
        sum(
            case
                when transitions_counted.to_screen = 'exit'
                    then transitions_counted.transitions_count
                else 0
            end
        ) over (
            partition by transitions_counted.from_screen
        ) as from_screen_exits_count
    from transitions_counted

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
