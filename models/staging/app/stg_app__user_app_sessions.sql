with

source as (

    select * from {{ source('app', 'user_app_sessions') }}

),

first_received as (

    {{ deduplicate(
        relation='source',
        partition_by='session_id',
        order_by='received_at, opened_at'
    ) }}

),

renamed as (

    select
        session_id,
        user_id,
        lower(trim(platform)) as platform,
        app_version,
        opened_at,
        closed_at,
        closed_at is null as is_crashed,
        active_seconds,
        {{ to_reporting_date('opened_at') }} as opened_date,
        features_used as features_used_json,
        navigation_history as navigation_history_json,
        received_at

    from first_received

)

select * from renamed
