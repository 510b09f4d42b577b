with

courses as (

    select * from {{ ref('stg_app__courses') }}

),

modules as (

    select * from {{ ref('stg_app__modules') }}

),

quizzes as (

    select * from {{ ref('stg_app__quizzes') }}

),

quiz_questions as (

    select * from {{ ref('stg_app__quiz_questions') }}

),

fx_rates_to_usd as (

    select * from {{ ref('fx_rates_to_usd') }}

),

modules_counted as (

    select
        course_id,
        count(*) as module_count,
        sum(estimated_minutes) as estimated_minutes
    from modules
    group by 1

),

quizzes_counted as (

    select
        modules.course_id,
        count(distinct quizzes.quiz_id) as quiz_count,
        count(quiz_questions.question_id) as question_count
    from quizzes
    inner join modules
        on quizzes.module_id = modules.module_id
    left join quiz_questions
        on quizzes.quiz_id = quiz_questions.quiz_id
    group by 1

),

final as (

    select
        courses.course_id,
        courses.course_title,
        courses.category,
        courses.difficulty_level,
        courses.price_amount,
        courses.currency,
        cast(
            cast(courses.price_amount as decimal(20, 2))
            * fx_rates_to_usd.usd_per_unit
            as decimal(18, 2)
        ) as price_usd,
        courses.is_free,
        courses.published_at,
        cast(coalesce(modules_counted.module_count, 0) as integer)
            as module_count,
        cast(coalesce(quizzes_counted.quiz_count, 0) as integer)
            as quiz_count,
        cast(coalesce(quizzes_counted.question_count, 0) as integer)
            as question_count,
        cast(modules_counted.estimated_minutes as bigint)
            as estimated_minutes

    from courses
    left join fx_rates_to_usd
        on courses.currency = fx_rates_to_usd.currency
    left join modules_counted
        on courses.course_id = modules_counted.course_id
    left join quizzes_counted
        on courses.course_id = quizzes_counted.course_id

)

select * from final
