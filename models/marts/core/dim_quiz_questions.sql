with

quiz_questions as (

    select * from {{ ref('stg_app__quiz_questions') }}

),

quizzes as (

    select * from {{ ref('dim_quizzes') }}

),

final as (

    select
        quiz_questions.question_id,
        quiz_questions.quiz_id,
        quizzes.module_id,
        quizzes.course_id,
        quiz_questions.question_position,
        quiz_questions.question_text,
        quiz_questions.correct_option,
        quizzes.quiz_title,
        quizzes.module_position,
        quizzes.module_title,
        quizzes.course_title,
        cast(
            count(*) over (partition by quiz_questions.quiz_id) as integer
        ) as quiz_question_count

    from quiz_questions
    -- A question of a quiz the catalog does not hold is kept (no quiz,
    -- module or course details; dim_quiz_questions__anomaly_checks flags
    -- it).
    left join quizzes
        on quiz_questions.quiz_id = quizzes.quiz_id

)

select * from final
