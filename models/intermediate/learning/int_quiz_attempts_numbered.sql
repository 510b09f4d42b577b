with

quiz_attempts as (

    select * from {{ ref('stg_app__quiz_attempts') }}

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
            as score_improvement

    from numbered
    left join submitted_attempts_compared
        on numbered.attempt_id = submitted_attempts_compared.attempt_id

)

select * from joined
