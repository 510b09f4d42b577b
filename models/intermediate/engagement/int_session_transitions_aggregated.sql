{#- Incremental, delete+insert by (day, received day): the counts are sums
    over sessions, and each session has one opened day and one received day,
    so a run rebuilds whole only the (day, received day) groups with a session
    received since the watermark: the new day's sessions, and for a late
    session only what arrived with it, not its whole old day. So a run
    reads only the sessions received from the earliest rebuilt received day
    on (select_reprocessed's received_since): at 10M raw rows over 600 days
    it read every session's navigation list, 0.2 s at 60 days and 4.9 s at
    600 in the daily run (both import CTEs are not materialized, or DuckDB
    copies the whole table first). fct_navigation_transitions sums the
    groups. -#}
{{ config(
    materialized='incremental',
    unique_key=['opened_date', 'received_date'],
) }}

with

stg_user_app_sessions as {{ not_materialized() }} (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

all_user_app_sessions as {{ not_materialized() }} (

    select
        *,
        {{ to_reporting_date('received_at') }} as received_date
    from stg_user_app_sessions

),

reprocessed_groups as (  -- noqa: ST03

    select distinct
        opened_date,
        received_date
    from all_user_app_sessions
    where {{ is_reprocessed('received_at', 'opened_date') }}

),

user_app_sessions as (

    {{ select_reprocessed(
        'all_user_app_sessions', 'reprocessed_groups',
        {'opened_date': 'opened_date', 'received_date': 'received_date'},
        received_since=('received_at', 'received_date')
    ) }}

),

session_screens as (

    select
        session_id,
        opened_date,
        received_date,
        received_at,
        {#- A step without a screen name (written to raw by another writer
            than the loader, which rejects it) is the screen '(no screen)':
            kept and counted in rpt_data_quality. -#}
        {{ list_transform(
            'navigation_steps',
            'step',
            "coalesce(step.screen_name, '(no screen)')"
        ) }} as screens
    from user_app_sessions
    where {{ list_length('navigation_steps') }} > 0

),

session_transitions as (

    {#- Each session's screens paired with the next one ('exit' after the
        last), built per row from the parsed navigation list: no window over
        every screen view. -#}
    select
        opened_date,
        received_date,
        received_at,
        {{ list_pairs_with_next('screens', "'exit'") }} as transitions
    from session_screens

),

session_transition_keys as (

    {#- Each pair as text, to find its first occurrence in the session:
        each screen as its length, a colon and itself ('-' when null), an
        encoding two different pairs never share. Text compares far faster
        than pairs (a list_distinct over pairs was half this model's time). -#}
    select
        *,
        {{ list_transform(
            'transitions',
            'pair',
            transition_key(pair_element('pair', 1), pair_element('pair', 2))
        ) }} as transition_keys
    from session_transitions

),

session_transitions_flagged as (

    select
        opened_date,
        received_date,
        received_at,
        transitions,
        {{ list_first_occurrences('transition_keys') }} as first_occurrences
    from session_transition_keys

),

transitions_unnested as (

    select
        opened_date,
        received_date,
        received_at,
        first_occurrences,
        {{ unnest_list('transitions', 'transition', 'transition_position') }}
    from session_transitions_flagged

),

transitions_counted as (

    {#- A session counts once per distinct transition it made: its first
        occurrence of it. -#}
    select
        opened_date,
        received_date,
        {{ pair_element('transition', 1) }} as from_screen,
        {{ pair_element('transition', 2) }} as to_screen,
        count(*) as transitions_count,
        sum(case
            when {{ list_element('first_occurrences', 'transition_position') }}
                then 1
            else 0
        end) as sessions_count,
        max(received_at) as last_received_at
    from transitions_unnested
    group by 1, 2, 3, 4

),

final as (

    select
        {{ surrogate_key([
            'opened_date',
            'received_date',
            'from_screen',
            'to_screen'
        ]) }} as day_transition_id,
        opened_date,
        received_date,
        from_screen,
        to_screen,
        cast(transitions_count as integer) as transitions_count,
        cast(sessions_count as integer) as sessions_count,
        last_received_at
    from transitions_counted

)

select * from final
