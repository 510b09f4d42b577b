with

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

flattened as (

    select
        user_app_sessions.session_id,
        user_app_sessions.user_id,
        {{ unnest_json_list(
            'user_app_sessions.navigation_history_json',
            '{"screen": "VARCHAR", "viewed_at": "VARCHAR"}',
            'step',
            'step_number'
        ) }}

    from user_app_sessions

),

final as (

    select
        {{ dbt.concat(['session_id', "':'", 'step_number']) }}
            as screen_view_id,
        session_id,
        user_id,
        step_number,
        lower(trim(step.screen)) as screen_name,
        {{ dbt.safe_cast(
            "replace(replace(step.viewed_at, 'T', ' '), 'Z', '')",
            api.Column.translate_type('timestamp')
        ) }} as viewed_at

    from flattened

)

select * from final
