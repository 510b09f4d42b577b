-- The options of a question share out its first-attempt responses: the
-- chosen counts add up to fct_quiz_question_stats.responses_count, the upper
-- and lower group counts to the question's group counts, and the key's share
-- is the question's difficulty. Not for a question with an anomalous
-- response (the app scored it against another key than the catalog's, or
-- chose an option outside a-d: warned and counted in rpt_data_quality and
-- the staging checks), nor one whose catalog key is outside a-d (no option
-- row is its key: warned by stg_app__quiz_questions__anomaly_checks), where
-- the two marts rightly differ.
with

option_choices as (

    select * from {{ ref('fct_quiz_option_choices') }}

),

question_stats as (

    select * from {{ ref('fct_quiz_question_stats') }}

),

first_attempt_responses as (

    select * from {{ ref('int_quiz_first_attempt_responses_totalled') }}

),

quiz_questions as (

    select * from {{ ref('stg_app__quiz_questions') }}

),

anomalous_questions as (

    select distinct first_attempt_responses.question_id

    from first_attempt_responses
    left join quiz_questions
        on first_attempt_responses.question_id = quiz_questions.question_id
    where
        first_attempt_responses.chosen_option is null
        or first_attempt_responses.chosen_option not in ('a', 'b', 'c', 'd')
        or first_attempt_responses.is_correct is distinct from (
            first_attempt_responses.chosen_option
            = quiz_questions.correct_option
        )

    union

    select question_id

    from quiz_questions
    where correct_option not in ('a', 'b', 'c', 'd')

),

options_per_question as (

    select
        question_id,
        sum(chosen_count) as chosen_count,
        sum(upper_group_chosen_count) as upper_group_chosen_count,
        sum(lower_group_chosen_count) as lower_group_chosen_count,
        sum(case when is_key then 1 else 0 end) as keys_count,
        max(case when is_key then chosen_rate end) as key_chosen_rate

    from option_choices
    group by 1

),

compared as (

    select
        question_stats.question_id,
        question_stats.responses_count,
        options_per_question.chosen_count,
        question_stats.upper_group_responses_count,
        options_per_question.upper_group_chosen_count,
        question_stats.lower_group_responses_count,
        options_per_question.lower_group_chosen_count,
        options_per_question.keys_count,
        question_stats.difficulty_index,
        options_per_question.key_chosen_rate

    from question_stats
    left join options_per_question
        on question_stats.question_id = options_per_question.question_id
    left join anomalous_questions
        on question_stats.question_id = anomalous_questions.question_id
    where anomalous_questions.question_id is null

)

select * from compared
where
    chosen_count is null
    or chosen_count != responses_count
    -- The group counts are weighted (a share per tied attempt at the cut)
    -- and each rounded to 6 decimals: four options' sum is within 2e-6.
    or abs(upper_group_chosen_count - upper_group_responses_count) > 1e-5
    or abs(lower_group_chosen_count - lower_group_responses_count) > 1e-5
    or keys_count != 1
    or abs(
        coalesce(key_chosen_rate, -1) - coalesce(difficulty_index, -1)
    ) > 1e-9
