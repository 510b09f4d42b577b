with

source as (

    select * from {{ source('app', 'quizzes') }}
    where {{ required_values_present('quizzes') }}

),

renamed as (

    select
        quiz_id,
        module_id,
        quiz_title,
        pass_mark_percent

    from source

),

deduplicated as (

    {{ catalog_first_copies(
        'renamed', 'quiz_id', [
            'quiz_id',
            'module_id',
            'quiz_title',
            'pass_mark_percent'
        ]
    ) }}

)

select * from deduplicated
