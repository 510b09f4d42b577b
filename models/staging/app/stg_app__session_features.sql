with

user_app_sessions as (

    select * from {{ ref('stg_app__user_app_sessions') }}

),

flattened as (

    {#- features_used is already normalized and distinct per session. -#}
    select
        user_app_sessions.session_id,
        user_app_sessions.user_id,
        user_app_sessions.platform,
        user_app_sessions.opened_at,
        user_app_sessions.received_at,
        user_app_sessions.opened_date,
        {{ unnest_list(
            'user_app_sessions.features_used', 'feature_name', 'feature_position'
        ) }}

    from user_app_sessions

),

final as (

    select
        {{ dbt.concat(['session_id', "':'", 'feature_name']) }}
            as session_feature_id,
        session_id,
        user_id,
        platform,
        opened_at,
        opened_date,
        feature_name,
        received_at

    from flattened

)

select * from final
