with

source as (

    select * from {{ source('app', 'quiz_attempts') }}

),

first_received as (

    {{ deduplicate(
        relation='source',
        partition_by='attempt_id',
        order_by='received_at, started_at'
    ) }}

),

renamed as (

    select
        attempt_id,
        user_id,
        quiz_id,
        lower(trim(platform)) as platform,
        started_at,
        submitted_at,
        submitted_at is null as is_abandoned,
        score_percent,
        {{ to_reporting_date('started_at') }} as started_date,
        responses as responses_json,
        received_at

    from first_received

)

select * from renamed
