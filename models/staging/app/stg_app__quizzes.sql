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

)

select * from renamed
