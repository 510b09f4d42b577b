{#- An incremental table, not a view (the house rule for staging): every model
    and test downstream reads this event table, and as a view each of them
    would deduplicate the whole raw table again and parse its JSON responses.
    Delete+insert by attempt_id: a run restages only the keys whose raw copy
    count changed (macro deduplicate_changed), which is exactly what a full
    rebuild would change, with no lookback needed. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key='attempt_id',
    on_schema_change='fail',
) }}

with

source as (

    select * from {{ source('app', 'quiz_attempts') }}

),

first_received as (

    {{ deduplicate_changed(
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
        list_transform(
            {{ parse_json_list(
                'responses',
                '{"question_id": "VARCHAR", "chosen_option": "VARCHAR",'
                ~ ' "is_correct": "BOOLEAN", "seconds_spent": "DOUBLE"}'
            ) }},
            lambda response: {
                'question_id': response.question_id,
                'chosen_option': lower(trim(response.chosen_option)),
                'is_correct': response.is_correct,
                'seconds_spent': response.seconds_spent
            }
        ) as responses,
        received_at,
        raw_copies_count

    from first_received

)

select * from renamed
