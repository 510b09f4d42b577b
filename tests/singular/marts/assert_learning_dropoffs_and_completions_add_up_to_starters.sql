-- Every starter of a course either completed it or dropped off at exactly
-- one module (their furthest): per course, the dropped-off counts of
-- fct_module_dropoff plus the completed enrollments equal the starters.
-- A course on one side only fails (full join), and so does a course whose
-- module rows disagree on its starters count.
with

module_dropoff as (

    select * from {{ ref('fct_module_dropoff') }}

),

course_enrollments as (

    select * from {{ ref('fct_course_enrollments') }}

),

dropoffs_per_course as (

    select
        course_id,
        min(course_starters_count) as min_course_starters_count,
        max(course_starters_count) as course_starters_count,
        sum(dropped_off_count) as dropped_off_count

    from module_dropoff
    group by 1

),

enrollments_per_course as (

    select
        course_id,
        count(*) as enrollments_count,
        sum(case when is_completed then 1 else 0 end) as completed_count

    from course_enrollments
    group by 1

),

compared as (

    select
        coalesce(
            dropoffs_per_course.course_id, enrollments_per_course.course_id
        ) as course_id,
        dropoffs_per_course.min_course_starters_count,
        coalesce(dropoffs_per_course.course_starters_count, 0)
            as course_starters_count,
        coalesce(dropoffs_per_course.dropped_off_count, 0) as dropped_off_count,
        coalesce(enrollments_per_course.enrollments_count, 0)
            as enrollments_count,
        coalesce(enrollments_per_course.completed_count, 0)
            as completed_count

    from dropoffs_per_course
    full outer join enrollments_per_course
        on dropoffs_per_course.course_id = enrollments_per_course.course_id

)

select * from compared
where
    min_course_starters_count is distinct from course_starters_count
    or course_starters_count != enrollments_count
    or dropped_off_count + completed_count != course_starters_count
