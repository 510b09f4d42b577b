{#- Kelley's upper / lower 27 % groups of classical test theory. -#}
{%- set group_fraction = 0.27 -%}

with

quiz_attempts as (

    select * from {{ ref('int_quiz_attempts_numbered') }}

),

quiz_responses as (

    select * from {{ ref('stg_app__quiz_responses') }}

),

first_attempts as (

    select
        attempt_id,
        quiz_id

    from quiz_attempts
    where attempt_number = 1 and not is_abandoned

),

first_attempt_responses as (

    select
        quiz_responses.quiz_response_id,
        quiz_responses.attempt_id,
        quiz_responses.user_id,
        first_attempts.quiz_id,
        quiz_responses.question_id,
        quiz_responses.chosen_option,
        quiz_responses.is_correct,
        quiz_responses.seconds_spent

    from quiz_responses
    inner join first_attempts
        on quiz_responses.attempt_id = first_attempts.attempt_id

),

attempts_totalled as (

    select
        attempt_id,
        quiz_id,
        sum(case when is_correct then 1 else 0 end) as total_correct_count

    from first_attempt_responses
    group by 1, 2

),

attempts_ranked as (

    select
        attempt_id,
        quiz_id,
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

attempts_grouped as (

    select
        attempt_id,
        quiz_id,
        total_correct_count,
        quiz_first_attempts_count,
        cast(
            round({{ group_fraction }} * quiz_first_attempts_count, 0)
            as integer
        ) as score_group_size,
        rank_from_bottom,
        rank_from_top

    from attempts_ranked

),

final as (

    select
        first_attempt_responses.quiz_response_id,
        first_attempt_responses.attempt_id,
        first_attempt_responses.user_id,
        first_attempt_responses.quiz_id,
        first_attempt_responses.question_id,
        first_attempt_responses.chosen_option,
        first_attempt_responses.is_correct,
        first_attempt_responses.seconds_spent,
        attempts_grouped.total_correct_count,
        attempts_grouped.total_correct_count
        - case when first_attempt_responses.is_correct then 1 else 0 end
            as rest_correct_count,
        attempts_grouped.quiz_first_attempts_count,
        attempts_grouped.score_group_size,
        case
            when
                attempts_grouped.rank_from_top
                <= attempts_grouped.score_group_size
                then 'upper'
            when
                attempts_grouped.rank_from_bottom
                <= attempts_grouped.score_group_size
                then 'lower'
            else 'middle'
        end as score_group

    from first_attempt_responses
    inner join attempts_grouped
        on first_attempt_responses.attempt_id = attempts_grouped.attempt_id

)

select * from final
