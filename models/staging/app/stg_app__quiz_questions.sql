with

source as (

    select * from {{ source('app', 'quiz_questions') }}
    where {{ required_values_present('quiz_questions') }}

),

renamed as (

    select
        question_id,
        quiz_id,
        question_position,
        question_text,
        lower(trim(correct_option)) as correct_option

    from source

),

deduplicated as (

    {{ catalog_first_copies(
        'renamed', 'question_id', [
            'question_id',
            'quiz_id',
            'question_position',
            'question_text',
            'correct_option'
        ]
    ) }}

)

select * from deduplicated
