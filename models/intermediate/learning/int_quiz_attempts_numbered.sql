{#- Incremental, delete+insert by user x quiz: attempt numbers and score
    improvements depend on all of a user's attempts at the quiz, so every
    user x quiz with an attempt received since the watermark is renumbered. -#}
{{ config(
    materialized='incremental',
    unique_key=['user_id', 'quiz_id'],
) }}

with

all_quiz_attempts as {{ not_materialized() }} (

    select * from {{ ref('stg_app__quiz_attempts') }}

),

reprocessed_user_quizzes as (  -- noqa: ST03

    select distinct
        user_id,
        quiz_id
    from all_quiz_attempts
    where {{ is_reprocessed('received_at', 'started_date') }}

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

numbered as (

    select
        attempt_id,
        user_id,
        quiz_id,
        platform,
        started_at,
        started_date,
        submitted_at,
        is_abandoned,
        received_at as last_received_at,
        -- An abandoned attempt has no score, whatever the raw row says.
        case when not is_abandoned then score_percent end as score_percent,
        row_number() over (
            partition by user_id, quiz_id
            order by started_at, attempt_id
        ) as attempt_number

    from quiz_attempts

),

submitted_attempts_compared as (

    select
        attempt_id,
        row_number() over (
            partition by user_id, quiz_id
            order by started_at, attempt_id
        ) as submitted_attempt_number,
        lag(score_percent) over (
            partition by user_id, quiz_id
            order by started_at, attempt_id
        ) as previous_score_percent

    from numbered
    where not is_abandoned

),

joined as (

    select
        numbered.attempt_id,
        numbered.user_id,
        numbered.quiz_id,
        numbered.platform,
        numbered.started_at,
        numbered.started_date,
        numbered.submitted_at,
        numbered.attempt_number,
        submitted_attempts_compared.submitted_attempt_number,
        numbered.is_abandoned,
        numbered.score_percent,
        submitted_attempts_compared.previous_score_percent,
        numbered.score_percent
        - submitted_attempts_compared.previous_score_percent
            as score_improvement,
        numbered.last_received_at

    from numbered
    left join submitted_attempts_compared
        on numbered.attempt_id = submitted_attempts_compared.attempt_id

)

select * from joined
