{#- Incremental, delete+insert by user x quiz, following the user x quizzes
    int_quiz_attempts_numbered renumbered since this model's watermark, and
    the user x quizzes whose stored catalog columns (module, course, pass
    mark) differ from the catalog now: an attempt of a quiz the catalog does
    not hold yet is kept without them and gets them on the run after the
    quiz arrives, and a quiz that moves or changes its pass mark is
    rewritten. -#}
{{ config(
    materialized='incremental',
    unique_key=['user_id', 'quiz_id'],
) }}

with

all_quiz_attempts as {{ not_materialized() }} (

    select * from {{ ref('int_quiz_attempts_numbered') }}

),

quizzes as (

    select * from {{ ref('stg_app__quizzes') }}

),

modules as (

    select * from {{ ref('stg_app__modules') }}

),

quiz_catalog as (

    select
        quizzes.quiz_id,
        quizzes.module_id,
        modules.course_id,
        cast(quizzes.pass_mark_percent as double) as pass_mark_percent

    from quizzes
    left join modules
        on quizzes.module_id = modules.module_id

),

reprocessed_user_quizzes as (  -- noqa: ST03

    select
        user_id,
        quiz_id
    from all_quiz_attempts
    where {{ is_reprocessed('last_received_at', 'started_date') }}
    {% if is_incremental() %}
        union
        select
            stored_attempts.user_id,
            stored_attempts.quiz_id
        from {{ this }} as stored_attempts
        left join quiz_catalog
            on stored_attempts.quiz_id = quiz_catalog.quiz_id
        where
            stored_attempts.module_id is distinct from quiz_catalog.module_id
            or stored_attempts.course_id is distinct from quiz_catalog.course_id
            or stored_attempts.pass_mark_percent
            is distinct from quiz_catalog.pass_mark_percent
    {% endif %}

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

joined as (

    select
        quiz_attempts.attempt_id,
        quiz_attempts.user_id,
        quiz_attempts.quiz_id,
        quiz_catalog.module_id,
        quiz_catalog.course_id,
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
        quiz_catalog.pass_mark_percent,
        -- Abandoned attempts never pass; without a pass mark (a quiz the
        -- catalog does not hold) a submitted attempt's pass is unknown.
        case
            when quiz_attempts.is_abandoned then false
            else
                quiz_attempts.score_percent >= quiz_catalog.pass_mark_percent
        end as is_passed,
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

    -- Every attempt is kept: one of a quiz outside the catalog has no
    -- module, course or pass mark (flagged by the anomaly checks and
    -- rpt_data_quality).
    from quiz_attempts
    left join quiz_catalog
        on quiz_attempts.quiz_id = quiz_catalog.quiz_id

)

select * from joined
