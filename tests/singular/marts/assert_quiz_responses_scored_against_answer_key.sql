-- The item analysis scores items with the app's is_correct. That is only
-- the answer key's verdict if the app scored against the listed key: flag
-- first-attempt responses where the two disagree. A data anomaly (the app
-- or the catalog is wrong, not our logic): a warning, counted in
-- rpt_data_quality (responses_scored_against_another_key).
{{ config(severity='warn') }}
with

first_attempt_responses as (

    select * from {{ ref('int_quiz_first_attempt_responses_totalled') }}

),

quiz_questions as (

    select * from {{ ref('stg_app__quiz_questions') }}

),

compared as (

    select
        first_attempt_responses.quiz_response_id,
        first_attempt_responses.question_id,
        first_attempt_responses.chosen_option,
        quiz_questions.correct_option,
        first_attempt_responses.is_correct

    from first_attempt_responses
    inner join quiz_questions
        on first_attempt_responses.question_id = quiz_questions.question_id

)

select * from compared
-- A response without an option did not choose the key: a true verdict on it
-- disagrees (the comparison alone would be null and hide it). One without a
-- verdict is an incomplete response, counted apart.
where is_correct != coalesce(chosen_option = correct_option, false)
