{#- Incremental on DuckDB, delete+insert by attempt: a run writes the
    responses of the first attempts that are new to the table or were
    received since the watermark; the others keep their rows, since an
    attempt's total and rest scores depend on its own responses only. (The
    upper and lower groups depend on the whole quiz, so they are not stored
    here but in int_quiz_scores_grouped, one row per quiz x total, which a
    run rebuilds.) A stored first attempt stops being one when an earlier
    attempt of its user arrives late: the post-hook deletes its rows. On
    Spark a table. -#}
{{ config(
    materialized='incremental' if target.type == 'duckdb' else 'table',
    unique_key='attempt_id',
    post_hook=[
        "{{ delete_first_attempts_no_longer_first() }}"
    ] if target.type == 'duckdb' else [],
) }}

with

quiz_attempts as (

    select * from {{ ref('int_quiz_attempts_numbered') }}

),

quiz_responses as {{ not_materialized() }} (

    select * from {{ ref('stg_app__quiz_responses') }}

),

first_attempts as (

    select
        attempt_id,
        quiz_id,
        started_date,
        last_received_at

    from quiz_attempts
    where attempt_number = 1 and not is_abandoned

),

{% if is_incremental() %}

    stored_attempts as (

        select distinct attempt_id
        from {{ this }}

    ),

{% endif %}

reprocessed_attempts as (

    {#- All first attempts on a full build; on an incremental one those new
        to the table or restaged since the watermark. -#}
    select
        first_attempts.attempt_id,
        first_attempts.quiz_id,
        first_attempts.last_received_at

    from first_attempts
    {% if is_incremental() %}
        left join stored_attempts
            on first_attempts.attempt_id = stored_attempts.attempt_id
        where
            stored_attempts.attempt_id is null
            or {{ is_reprocessed(
                'first_attempts.last_received_at',
                'first_attempts.started_date'
            ) }}
    {% endif %}

),

attempts_totalled as (

    {#- An attempt without responses has no total: it takes no part. -#}
    select
        reprocessed_attempts.attempt_id,
        reprocessed_attempts.quiz_id,
        reprocessed_attempts.last_received_at,
        sum(case when quiz_responses.is_correct then 1 else 0 end)
            as total_correct_count

    from reprocessed_attempts
    inner join quiz_responses
        on reprocessed_attempts.attempt_id = quiz_responses.attempt_id
    group by 1, 2, 3

),

final as (

    select
        quiz_responses.quiz_response_id,
        quiz_responses.attempt_id,
        quiz_responses.user_id,
        attempts_totalled.quiz_id,
        quiz_responses.question_id,
        quiz_responses.chosen_option,
        quiz_responses.is_correct,
        quiz_responses.seconds_spent,
        attempts_totalled.total_correct_count,
        attempts_totalled.total_correct_count
        - case when quiz_responses.is_correct then 1 else 0 end
            as rest_correct_count,
        attempts_totalled.last_received_at

    from quiz_responses
    inner join attempts_totalled
        on quiz_responses.attempt_id = attempts_totalled.attempt_id

)

select * from final
