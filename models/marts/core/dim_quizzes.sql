with

quizzes as (

    select * from {{ ref('stg_app__quizzes') }}

),

quiz_questions as (

    select * from {{ ref('stg_app__quiz_questions') }}

),

modules as (

    select * from {{ ref('dim_modules') }}

),

questions_counted as (

    select
        quiz_id,
        count(*) as question_count
    from quiz_questions
    group by 1

),

final as (

    select
        quizzes.quiz_id,
        quizzes.quiz_title,
        quizzes.module_id,
        modules.course_id,
        modules.module_position,
        modules.module_title,
        modules.course_title,
        modules.is_last_module,
        quizzes.pass_mark_percent,
        cast(coalesce(questions_counted.question_count, 0) as integer)
            as question_count

    from quizzes
    -- A quiz of a module the catalog does not hold is kept (no course or
    -- module details; dim_quizzes__anomaly_checks flags it).
    left join modules
        on quizzes.module_id = modules.module_id
    left join questions_counted
        on quizzes.quiz_id = questions_counted.quiz_id

)

select * from final
