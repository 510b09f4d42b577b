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
        quizzes.question_count as quiz_question_count

    from quiz_questions
    inner join quizzes
        on quiz_questions.quiz_id = quizzes.quiz_id

)

select * from final
