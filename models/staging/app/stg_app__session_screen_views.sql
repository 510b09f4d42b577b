with

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

flattened as (

    select
        user_app_sessions.session_id,
        user_app_sessions.user_id,
        user_app_sessions.platform,
        user_app_sessions.opened_at,
        user_app_sessions.received_at,
        {{ unnest_list(
            'user_app_sessions.navigation_steps', 'step', 'step_number'
        ) }}

    from user_app_sessions

),

final as (

    select
        {{ dbt.concat(['session_id', "':'", 'step_number']) }}
            as screen_view_id,
        session_id,
        user_id,
        platform,
        opened_at,
        step_number,
        step.screen_name,
        step.viewed_at,
        received_at

    from flattened

)

select * from final
