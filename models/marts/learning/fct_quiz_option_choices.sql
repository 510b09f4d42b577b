{%- set min_responses = var('behavior__item_min_responses', 20) -%}

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

answer_options as (

    -- The four options of the raw contract (contract.QUIZ_OPTIONS).
    select 'a' as answer_option
    union all
    select 'b' as answer_option
    union all
    select 'c' as answer_option
    union all
    select 'd' as answer_option

),

question_options as (

    select
        quiz_questions.question_id,
        quiz_questions.quiz_id,
        quiz_questions.correct_option,
        answer_options.answer_option

    from quiz_questions
    cross join answer_options

),

responses_weighted as (

    {#- Each response weighs in its attempt's upper and lower group weight
        (int_quiz_scores_grouped), as in fct_quiz_question_stats. -#}
    select
        first_attempt_responses.question_id,
        first_attempt_responses.chosen_option,
        quiz_scores.upper_group_weight,
        quiz_scores.lower_group_weight

    from first_attempt_responses
    inner join quiz_scores
        on
            first_attempt_responses.quiz_id = quiz_scores.quiz_id
            and first_attempt_responses.total_correct_count
            = quiz_scores.total_correct_count

),

option_counts as (

    select
        question_id,
        chosen_option,
        count(*) as chosen_count,
        sum(upper_group_weight) as upper_group_chosen_count,
        sum(lower_group_weight) as lower_group_chosen_count

    from responses_weighted
    group by 1, 2

),

question_totals as (

    select
        question_id,
        sum(chosen_count) as responses_count,
        sum(upper_group_chosen_count) as upper_group_responses_count,
        sum(lower_group_chosen_count) as lower_group_responses_count

    from option_counts
    group by 1

),

joined as (

    select
        question_options.question_id,
        question_options.quiz_id,
        question_options.answer_option,
        question_options.answer_option
        = question_options.correct_option as is_key,
        coalesce(question_totals.responses_count, 0) as responses_count,
        coalesce(option_counts.chosen_count, 0) as chosen_count,
        coalesce(option_counts.upper_group_chosen_count, 0)
            as upper_group_chosen_count,
        coalesce(option_counts.lower_group_chosen_count, 0)
            as lower_group_chosen_count,
        coalesce(question_totals.upper_group_responses_count, 0)
            as upper_group_responses_count,
        coalesce(question_totals.lower_group_responses_count, 0)
            as lower_group_responses_count

    from question_options
    left join question_totals
        on question_options.question_id = question_totals.question_id
    left join option_counts
        on
            question_options.question_id = option_counts.question_id
            and question_options.answer_option = option_counts.chosen_option

),

shares_computed as (

    select
        joined.*,
        cast(joined.chosen_count as double)
        / nullif(joined.responses_count, 0) as chosen_rate,
        cast(joined.upper_group_chosen_count as double)
        / nullif(joined.upper_group_responses_count, 0)
            as upper_group_chosen_rate,
        cast(joined.lower_group_chosen_count as double)
        / nullif(joined.lower_group_responses_count, 0)
            as lower_group_chosen_rate,
        max(case when joined.is_key then joined.chosen_count end) over (
            partition by joined.question_id
        ) as key_chosen_count

    from joined

),

final as (

    select
        {{ dbt.concat(['question_id', "':'", 'answer_option']) }}
            as question_option_id,
        question_id,
        quiz_id,
        answer_option,
        is_key,
        cast(responses_count as bigint) as responses_count,
        cast(chosen_count as bigint) as chosen_count,
        cast(chosen_rate as double) as chosen_rate,
        -- Weighted counts, rounded to 6 decimals (as in
        -- fct_quiz_question_stats).
        cast(round(upper_group_chosen_count, 6) as double)
            as upper_group_chosen_count,
        cast(round(lower_group_chosen_count, 6) as double)
            as lower_group_chosen_count,
        cast(upper_group_chosen_rate as double) as upper_group_chosen_rate,
        cast(lower_group_chosen_rate as double) as lower_group_chosen_rate,
        cast(upper_group_chosen_rate - lower_group_chosen_rate as double)
            as option_discrimination_index,
        -- A wrong option the strong learners prefer: often the real answer
        -- (a wrong key) or an ambiguous wording.
        coalesce(
            not is_key
            and responses_count >= {{ min_responses }}
            and upper_group_chosen_rate > lower_group_chosen_rate,
            false
        ) as is_distractor_favoured_by_upper_group,
        -- A wrong option more popular than the key: the classic sign of a
        -- wrong answer key.
        coalesce(
            not is_key
            and responses_count >= {{ min_responses }}
            and chosen_count > key_chosen_count,
            false
        ) as is_chosen_more_than_key

    from shares_computed

)

select * from final
