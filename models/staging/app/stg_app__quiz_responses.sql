with

quiz_attempts as (

    select * from {{ ref('stg_app__quiz_attempts') }}

),

flattened as (

    select
        quiz_attempts.attempt_id,
        quiz_attempts.user_id,
        quiz_attempts.received_at,
        quiz_attempts.quiz_id,
        {{ unnest_list(
            'quiz_attempts.responses', 'response', 'response_position'
        ) }}

    from quiz_attempts

),

final as (

    select
        {{ dbt.concat(['attempt_id', "':'", 'response_position']) }}
            as quiz_response_id,
        attempt_id,
        user_id,
        quiz_id,
        response_position,
        response.question_id,
        response.chosen_option,
        response.is_correct,
        response.seconds_spent,
        received_at

    from flattened

)

select * from final
