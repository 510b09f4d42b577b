{#- Item-analysis thresholds (classical test theory rules of thumb). The
    minimum sample is a var; add it to dbt_project.yml to tune it. -#}
{%- set min_responses = var('behavior__item_min_responses', 20) -%}
{%- set too_easy_above = 0.9 -%}
{%- set too_hard_below = 0.3 -%}

with

first_attempt_responses as (

    select * from {{ ref('int_quiz_first_attempt_responses_totalled') }}

),

quiz_scores as (

    select * from {{ ref('int_quiz_scores_grouped') }}

),

quiz_questions as (

    select * from {{ ref('stg_app__quiz_questions') }}

),

quizzes as (

    select * from {{ ref('stg_app__quizzes') }}

),

modules as (

    select * from {{ ref('stg_app__modules') }}

),

responses_scored as (

    {#- Each response weighs in its attempt's upper and lower group weight
        (int_quiz_scores_grouped: 1 in the group, 0 outside it, a share
        when the tied attempts at the cut share the last places). -#}
    select
        first_attempt_responses.question_id,
        first_attempt_responses.seconds_spent,
        first_attempt_responses.rest_correct_count,
        quiz_scores.upper_group_weight,
        quiz_scores.lower_group_weight,
        cast(
            case when first_attempt_responses.is_correct then 1 else 0 end
            as double
        ) as item_score

    from first_attempt_responses
    inner join quiz_scores
        on
            first_attempt_responses.quiz_id = quiz_scores.quiz_id
            and first_attempt_responses.total_correct_count
            = quiz_scores.total_correct_count

),

aggregated_to_questions as (

    select
        question_id,
        count(*) as responses_count,
        avg(item_score) as difficulty_index,
        sum(upper_group_weight) as upper_group_responses_count,
        sum(lower_group_weight) as lower_group_responses_count,
        sum(upper_group_weight * item_score)
        / nullif(sum(upper_group_weight), 0) as upper_group_correct_rate,
        sum(lower_group_weight * item_score)
        / nullif(sum(lower_group_weight), 0) as lower_group_correct_rate,
        -- Sums for the corrected item-total (point-biserial) correlation:
        -- the item against the total without the item.
        sum(item_score) as item_sum,
        sum(item_score * item_score) as item_squares_sum,
        sum(rest_correct_count) as rest_sum,
        sum(rest_correct_count * rest_correct_count) as rest_squares_sum,
        sum(item_score * rest_correct_count) as item_rest_products_sum,
        percentile_cont(0.5) within group (order by seconds_spent)
            as median_seconds_spent

    from responses_scored
    group by 1

),

joined as (

    select
        quiz_questions.question_id,
        quiz_questions.quiz_id,
        quizzes.module_id,
        modules.course_id,
        quiz_questions.question_position,
        quiz_questions.correct_option,
        coalesce(aggregated_to_questions.responses_count, 0)
            as responses_count,
        aggregated_to_questions.difficulty_index,
        coalesce(aggregated_to_questions.upper_group_responses_count, 0)
            as upper_group_responses_count,
        coalesce(aggregated_to_questions.lower_group_responses_count, 0)
            as lower_group_responses_count,
        aggregated_to_questions.upper_group_correct_rate,
        aggregated_to_questions.lower_group_correct_rate,
        aggregated_to_questions.upper_group_correct_rate
        - aggregated_to_questions.lower_group_correct_rate
            as discrimination_index,
        -- Pearson's r from sums, all exact on 0/1 items and integer totals:
        -- (n sxy - sx sy) / sqrt((n sxx - sx^2) (n syy - sy^2)); undefined
        -- (null) when the item or the rest score does not vary.
        (
            aggregated_to_questions.responses_count
            * aggregated_to_questions.item_rest_products_sum
            - aggregated_to_questions.item_sum
            * aggregated_to_questions.rest_sum
        )
        / nullif(
            sqrt(
                (
                    aggregated_to_questions.responses_count
                    * aggregated_to_questions.item_squares_sum
                    - aggregated_to_questions.item_sum
                    * aggregated_to_questions.item_sum
                )
                * (
                    aggregated_to_questions.responses_count
                    * aggregated_to_questions.rest_squares_sum
                    - aggregated_to_questions.rest_sum
                    * aggregated_to_questions.rest_sum
                )
            ),
            0
        ) as point_biserial_correlation,
        aggregated_to_questions.median_seconds_spent

    from quiz_questions
    -- A question of a quiz, or a quiz of a module, the catalog does not hold
    -- keeps its row (no module or course), as in dim_quiz_questions and
    -- fct_quiz_option_choices.
    left join quizzes
        on quiz_questions.quiz_id = quizzes.quiz_id
    left join modules
        on quizzes.module_id = modules.module_id
    left join aggregated_to_questions
        on quiz_questions.question_id = aggregated_to_questions.question_id

),

flagged as (

    select
        question_id,
        quiz_id,
        module_id,
        course_id,
        cast(question_position as integer) as question_position,
        correct_option,
        cast(responses_count as bigint) as responses_count,
        -- Weighted counts, sums of shares: rounded to 6 decimals, so a
        -- whole group reads 20, not 19.999999999999993.
        cast(round(upper_group_responses_count, 6) as double)
            as upper_group_responses_count,
        cast(round(lower_group_responses_count, 6) as double)
            as lower_group_responses_count,
        cast(difficulty_index as double) as difficulty_index,
        cast(upper_group_correct_rate as double) as upper_group_correct_rate,
        cast(lower_group_correct_rate as double) as lower_group_correct_rate,
        cast(discrimination_index as double) as discrimination_index,
        cast(point_biserial_correlation as double)
            as point_biserial_correlation,
        cast(median_seconds_spent as double) as median_seconds_spent,
        responses_count >= {{ min_responses }} as has_min_responses,
        coalesce(
            responses_count >= {{ min_responses }}
            and difficulty_index > {{ too_easy_above }},
            false
        ) as is_too_easy,
        coalesce(
            responses_count >= {{ min_responses }}
            and difficulty_index < {{ too_hard_below }},
            false
        ) as is_too_hard,
        coalesce(
            responses_count >= {{ min_responses }}
            and discrimination_index < 0,
            false
        ) as has_negative_discrimination

    from joined

)

select * from flagged
