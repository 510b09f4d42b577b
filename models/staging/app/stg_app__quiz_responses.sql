with

quiz_attempts as (

    select * from {{ ref('stg_app__quiz_attempts') }}

),

flattened as (

    select
        quiz_attempts.attempt_id,
        quiz_attempts.user_id,
        quiz_attempts.quiz_id,
        {{ unnest_json_list(
            'quiz_attempts.responses_json',
            '{"question_id": "VARCHAR", "chosen_option": "VARCHAR",'
            ~ ' "is_correct": "BOOLEAN", "seconds_spent": "DOUBLE"}',
            'response',
            'response_position'
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
        lower(trim(response.chosen_option)) as chosen_option,
        response.is_correct,
        response.seconds_spent

    from flattened

)

select * from final
