{#- Incremental, delete+insert by user x quiz, following the user x quizzes
    int_quiz_attempts_numbered renumbered since this model's watermark. -#}
{{ config(
    materialized='incremental',
    unique_key=['user_id', 'quiz_id'],
) }}

with

all_quiz_attempts as {{ not_materialized() }} (

    select * from {{ ref('int_quiz_attempts_numbered') }}

),

reprocessed_user_quizzes as (  -- noqa: ST03

    select distinct
        user_id,
        quiz_id
    from all_quiz_attempts
    where {{ is_reprocessed('last_received_at', 'started_date') }}

),

quiz_attempts as (

    {{ select_reprocessed(
        'all_quiz_attempts',
        'reprocessed_user_quizzes',
        {
            'user_id': 'user_id',
            'quiz_id': 'quiz_id'
        }
    ) }}

),

quizzes as (

    select * from {{ ref('stg_app__quizzes') }}

),

modules as (

    select * from {{ ref('stg_app__modules') }}

),

joined as (

    select
        quiz_attempts.attempt_id,
        quiz_attempts.user_id,
        quiz_attempts.quiz_id,
        quizzes.module_id,
        modules.course_id,
        quiz_attempts.platform,
        quiz_attempts.started_at,
        quiz_attempts.started_date,
        quiz_attempts.submitted_at,
        {{ to_reporting_date('quiz_attempts.submitted_at') }}
            as submitted_date,
        cast(quiz_attempts.attempt_number as integer) as attempt_number,
        cast(
            quiz_attempts.submitted_attempt_number as integer
        ) as submitted_attempt_number,
        quiz_attempts.attempt_number = 1 as is_first_attempt,
        quiz_attempts.is_abandoned,
        cast(quiz_attempts.score_percent as double) as score_percent,
        cast(quizzes.pass_mark_percent as double) as pass_mark_percent,
        -- Abandoned attempts never pass.
        coalesce(
            not quiz_attempts.is_abandoned
            and quiz_attempts.score_percent >= quizzes.pass_mark_percent,
            false
        ) as is_passed,
        cast(
            {{ dbt.datediff(
                'quiz_attempts.started_at',
                'quiz_attempts.submitted_at',
                'second'
            ) }} as bigint
        ) as duration_seconds,
        cast(
            quiz_attempts.previous_score_percent as double
        ) as previous_score_percent,
        cast(quiz_attempts.score_improvement as double) as score_improvement,
        quiz_attempts.last_received_at

    from quiz_attempts
    inner join quizzes
        on quiz_attempts.quiz_id = quizzes.quiz_id
    inner join modules
        on quizzes.module_id = modules.module_id

)

select * from joined
