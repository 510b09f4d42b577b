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
        quiz_count shows when a module gets more (an anomaly: flagged by
        the checks, counted in rpt_data_quality). -#}
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

modules_ordered as (

    {#- The course's order: by position, then module_id. A catalog can tie
        two modules on a position or skip one (flagged by the anomaly
        checks, counted in rpt_data_quality); the order still has one last
        module, the one fct_course_enrollments and fct_module_dropoff use. -#}
    select
        module_id,
        count(*) over (partition by course_id) as course_module_count,
        row_number() over (
            partition by course_id
            order by module_position, module_id
        ) as module_order
    from modules

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
        cast(modules_ordered.course_module_count as integer)
            as course_module_count,
        modules_ordered.module_order = modules_ordered.course_module_count
            as is_last_module,
        quizzes_per_module.quiz_id,
        cast(coalesce(quizzes_per_module.quiz_count, 0) as integer)
            as quiz_count,
        cast(coalesce(quizzes_per_module.question_count, 0) as integer)
            as question_count

    from modules
    inner join modules_ordered
        on modules.module_id = modules_ordered.module_id
    -- A module of a course the catalog does not hold is kept (no course
    -- title, category or level; dim_modules__anomaly_checks flags it).
    left join courses
        on modules.course_id = courses.course_id
    left join quizzes_per_module
        on modules.module_id = quizzes_per_module.module_id

)

select * from final
