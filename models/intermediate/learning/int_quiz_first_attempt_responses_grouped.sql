{#- Kelley's upper / lower 27 % groups of classical test theory. -#}
{%- set group_fraction = 0.27 -%}

{#- Incremental on DuckDB, delete+insert by attempt: a new first attempt moves
    the ranks of its whole quiz, but only the attempts at the groups' edges
    change group (about 150 a day against 580 new first attempts, at 10M raw
    rows over 601 days), so a run rewrites the responses of the first
    attempts that are new, were received since the watermark or changed
    group, and ranks the others by the totals already stored. A stored first
    attempt stops being one when an earlier attempt of its user arrives late:
    the post-hook deletes its rows. The group size and the quiz's number of
    first attempts change with every new attempt, so they are not columns
    here (its readers do not need them). On Spark a table. -#}
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

        select
            attempt_id,
            min(total_correct_count) as total_correct_count,
            min(score_group) as score_group

        from {{ this }}
        group by 1

    ),

{% endif %}

reprocessed_attempts as (

    {#- The first attempts totalled from their responses: all of them on a
        full build; on an incremental one those new to the table or restaged
        since the watermark. -#}
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

reprocessed_totals as (

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

attempts_totalled as (

    select * from reprocessed_totals
    {% if is_incremental() %}
        union all
        {# The other first attempts keep the totals already stored. #}
        select
            first_attempts.attempt_id,
            first_attempts.quiz_id,
            first_attempts.last_received_at,
            stored_attempts.total_correct_count

        from first_attempts
        inner join stored_attempts
            on first_attempts.attempt_id = stored_attempts.attempt_id
        left join reprocessed_attempts
            on first_attempts.attempt_id = reprocessed_attempts.attempt_id
        where reprocessed_attempts.attempt_id is null
    {% endif %}

),

attempts_ranked as (

    select
        attempt_id,
        quiz_id,
        last_received_at,
        total_correct_count,
        count(*) over (partition by quiz_id) as quiz_first_attempts_count,
        -- Ties on the total are broken by attempt_id, so the groups have
        -- exactly the target size and never overlap.
        row_number() over (
            partition by quiz_id
            order by total_correct_count, attempt_id
        ) as rank_from_bottom,
        row_number() over (
            partition by quiz_id
            order by total_correct_count desc, attempt_id desc
        ) as rank_from_top

    from attempts_totalled

),

attempts_sized as (

    select
        attempt_id,
        quiz_id,
        last_received_at,
        total_correct_count,
        cast(
            round({{ group_fraction }} * quiz_first_attempts_count, 0)
            as integer
        ) as score_group_size,
        rank_from_bottom,
        rank_from_top

    from attempts_ranked

),

attempts_grouped as (

    select
        attempt_id,
        quiz_id,
        last_received_at,
        total_correct_count,
        case
            when rank_from_top <= score_group_size then 'upper'
            when rank_from_bottom <= score_group_size then 'lower'
            else 'middle'
        end as score_group

    from attempts_sized

),

rebuilt_attempts as (

    select attempts_grouped.*
    from attempts_grouped
    {% if is_incremental() %}
        left join stored_attempts
            on attempts_grouped.attempt_id = stored_attempts.attempt_id
        left join reprocessed_attempts
            on attempts_grouped.attempt_id = reprocessed_attempts.attempt_id
        where
            reprocessed_attempts.attempt_id is not null
            or stored_attempts.score_group != attempts_grouped.score_group
    {% endif %}

),

final as (

    select
        quiz_responses.quiz_response_id,
        quiz_responses.attempt_id,
        quiz_responses.user_id,
        rebuilt_attempts.quiz_id,
        quiz_responses.question_id,
        quiz_responses.chosen_option,
        quiz_responses.is_correct,
        quiz_responses.seconds_spent,
        rebuilt_attempts.total_correct_count,
        rebuilt_attempts.total_correct_count
        - case when quiz_responses.is_correct then 1 else 0 end
            as rest_correct_count,
        rebuilt_attempts.score_group,
        rebuilt_attempts.last_received_at

    from quiz_responses
    inner join rebuilt_attempts
        on quiz_responses.attempt_id = rebuilt_attempts.attempt_id

)

select * from final
