{#- An incremental table, not a view: see doc col_raw_copies_count. -#}
{{ config(
    materialized='incremental',
    unique_key='attempt_id',
) }}

with

source as {{ not_materialized(full_build=true) }} (

    select *{{ row_locator() }}
    from {{ source('app', 'quiz_attempts') }}

),

first_received as (

    {{ deduplicate(
        relation='source',
        partition_by='attempt_id',
        order_by='received_at, started_at',
        restage_changed=true
    ) }}

),

parsed as (

    select
        first_received.*,
        {{ parse_json_list(
            'first_received.responses',
            '{"question_id": "VARCHAR", "chosen_option": "VARCHAR",'
            ~ ' "is_correct": "BOOLEAN", "seconds_spent": "DOUBLE"}'
        ) }} as responses_parsed

    from first_received

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
        {{ list_transform(
            'responses_parsed',
            'response',
            struct_pack([
                ('question_id', 'response.question_id'),
                ('chosen_option', 'lower(trim(response.chosen_option))'),
                ('is_correct', 'response.is_correct'),
                ('seconds_spent', 'response.seconds_spent'),
            ])
        ) }} as responses,
        {#- Text that is not a JSON list stages as a null list; the row is
            kept, and flagged here (counted in rpt_data_quality). -#}
        parsed.responses is not null
        and parsed.responses_parsed is null as has_unparsable_responses,
        received_at,
        raw_copies_count

    from parsed

)

select * from renamed
