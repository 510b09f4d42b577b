with

modules as (

    select * from {{ ref('stg_app__modules') }}

),

courses as (

    select * from {{ ref('stg_app__courses') }}

),

quizzes as (

    select * from {{ ref('stg_app__quizzes') }}

),

quiz_questions as (

    select * from {{ ref('stg_app__quiz_questions') }}

),

quizzes_per_module as (

    {#- A module has at most one quiz in the catalog; min() picks it, and
        quiz_count shows when a module ever gets more. -#}
    select
        quizzes.module_id,
        min(quizzes.quiz_id) as quiz_id,
        count(distinct quizzes.quiz_id) as quiz_count,
        count(quiz_questions.question_id) as question_count
    from quizzes
    left join quiz_questions
        on quizzes.quiz_id = quiz_questions.quiz_id
    group by 1

),

modules_per_course as (

    select
        course_id,
        count(*) as course_module_count
    from modules
    group by 1

),

final as (

    select
        modules.module_id,
        modules.course_id,
        modules.module_position,
        modules.module_title,
        modules.estimated_minutes,
        courses.course_title,
        courses.category,
        courses.difficulty_level,
        cast(modules_per_course.course_module_count as integer)
            as course_module_count,
        modules.module_position = modules_per_course.course_module_count
            as is_last_module,
        quizzes_per_module.quiz_id,
        cast(coalesce(quizzes_per_module.quiz_count, 0) as integer)
            as quiz_count,
        cast(coalesce(quizzes_per_module.question_count, 0) as integer)
            as question_count

    from modules
    inner join courses
        on modules.course_id = courses.course_id
    inner join modules_per_course
        on modules.course_id = modules_per_course.course_id
    left join quizzes_per_module
        on modules.module_id = quizzes_per_module.module_id

)

select * from final
