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

    {#- The key is `<session_id>:<feature>`. A session id may hold ':', so a
        feature name holding ':' (another writer's; no contract feature does)
        has its '~' written '~t' and its ':' written '~c' first (macro
        escaped_key_part, as surrogate_key does with '|'): then the key's
        last ':' ends the session id, and two rows never share a key (session
        a with feature b:c, and session a:b with feature c). -#}
    select
        {{ dbt.concat([
            'session_id',
            "':'",
            escaped_key_part('feature_name', "':'", 'c'),
        ]) }} as session_feature_id,
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
