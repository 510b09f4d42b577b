with

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

flattened as (

    select
        user_app_sessions.session_id,
        user_app_sessions.user_id,
        user_app_sessions.opened_date,
        {{ unnest_json_list(
            'user_app_sessions.features_used_json',
            '"VARCHAR"',
            'feature_name_raw',
            'feature_position'
        ) }}

    from user_app_sessions

),

normalized as (

    select distinct
        session_id,
        user_id,
        opened_date,
        lower(trim(feature_name_raw)) as feature_name

    from flattened

),

final as (

    select
        {{ dbt.concat(['session_id', "':'", 'feature_name']) }}
            as session_feature_id,
        session_id,
        user_id,
        opened_date,
        feature_name

    from normalized

)

select * from final
