{#- An incremental table, not a view: see doc col_raw_copies_count. -#}
{{ config(
    materialized='incremental',
    unique_key='attempt_id',
) }}

with

source as {{ not_materialized(full_build=true) }} (

    select *{{ row_locator() }}
    from {{ source('app', 'quiz_attempts') }}
    where {{ required_values_present('quiz_attempts') }}

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
        {#- Every field as text, typed below by one rule on both engines:
            their JSON readers differ (DuckDB reads "yes" as a true verdict
            and the string "7" as 7 seconds, Spark gives null for both). -#}
        {{ parse_json_list(
            'first_received.responses',
            '{"question_id": "VARCHAR", "chosen_option": "VARCHAR",'
            ~ ' "is_correct": "VARCHAR", "seconds_spent": "VARCHAR"}'
        ) }} as responses_parsed

    from first_received

),

typed as (

    select
        attempt_id,
        user_id,
        quiz_id,
        {{ staged_platform('platform') }} as platform,
        {{ staged_timestamp('started_at') }} as started_at,
        {{ staged_timestamp('submitted_at') }} as submitted_at,
        submitted_at is null as is_abandoned,
        score_percent,
        {{ to_reporting_date(staged_timestamp('started_at')) }} as started_date,
        {#- try_cast: DuckDB and Spark both have it. -#}
        {{ list_transform(
            'responses_parsed',
            'response',
            struct_pack([
                ('question_id', 'response.question_id'),
                ('chosen_option', 'lower(trim(response.chosen_option))'),
                ('is_correct', json_verdict('response.is_correct')),
                ('seconds_spent', 'try_cast(response.seconds_spent as double)'),
            ])
        ) }} as responses,
        parsed.responses is not null
        and parsed.responses_parsed is null as is_unparsable_list,
        {{ list_count(
            'responses_parsed', 'response', 'response.is_correct is not null'
        ) }} as verdict_texts_count,
        {{ list_count(
            'responses_parsed', 'response', 'response.seconds_spent is not null'
        ) }} as seconds_texts_count,
        {#- A response without a question, an option or a verdict (the key
            absent or a JSON null): kept and flagged here. Without a verdict
            it counts as not correct; without a question it is in its
            attempt's total and in no question's item analysis. -#}
        {{ list_exists(
            'responses_parsed',
            'response',
            'response.question_id is null'
            ~ ' or response.chosen_option is null'
            ~ ' or response.is_correct is null'
        ) }} as has_incomplete_responses,
        received_at,
        raw_copies_count

    from parsed

),

final as (

    select
        attempt_id,
        user_id,
        quiz_id,
        platform,
        started_at,
        submitted_at,
        is_abandoned,
        score_percent,
        started_date,
        responses,
        {#- Text that is not a JSON list stages as a null list, a verdict
            that is not true or false or seconds that are not a number stage
            as null; the row is kept, and flagged here (counted in
            rpt_data_quality). Counted, not typed again: typing never gives
            a value to a field without a text, so fewer values than texts
            means one did not read. -#}
        is_unparsable_list
        or coalesce(
            verdict_texts_count
            > {{ list_count(
                'responses', 'response', 'response.is_correct is not null'
            ) }},
            false
        )
        or coalesce(
            seconds_texts_count
            > {{ list_count(
                'responses', 'response', 'response.seconds_spent is not null'
            ) }},
            false
        ) as has_unparsable_responses,
        has_incomplete_responses,
        received_at,
        raw_copies_count

    from typed

)

select * from final
