{#- A module needs this many learners reaching it before it can be flagged
    as the biggest drop-off (a 1-of-1 drop-off says nothing). Add the var to
    dbt_project.yml to tune it. -#}
{%- set min_learners = var('behavior__dropoff_min_learners', 10) -%}

with

enrollments as (

    select * from {{ ref('fct_course_enrollments') }}

),

user_modules as (

    select *
    from {{ ref('int_course_interactions_aggregated_to_user_modules') }}

),

modules as (

    select * from {{ ref('stg_app__modules') }}

),

course_starters as (

    select
        course_id,
        count(*) as course_starters_count

    from enrollments
    group by 1

),

module_learners as (

    -- Only learners with an enrollment in the course count, so every share
    -- below is a share of the same starters; a module counts under its own
    -- course only (as in fct_course_enrollments).
    select
        user_modules.course_id,
        user_modules.module_id,
        count(*) as reached_count,
        sum(case when user_modules.is_completed then 1 else 0 end)
            as completed_count

    from user_modules
    inner join enrollments
        on
            user_modules.user_id = enrollments.user_id
            and user_modules.course_id = enrollments.course_id
    group by 1, 2

),

dropoffs_by_furthest_module as (

    select
        course_id,
        furthest_module_id,
        count(*) as dropped_off_count,
        sum(case when is_stalled then 1 else 0 end) as stalled_count

    from enrollments
    where not is_completed
    group by 1, 2

),

joined as (

    select
        modules.course_id,
        modules.module_position,
        modules.module_id,
        coalesce(course_starters.course_starters_count, 0)
            as course_starters_count,
        coalesce(module_learners.reached_count, 0) as reached_count,
        coalesce(module_learners.completed_count, 0) as completed_count,
        coalesce(dropoffs_by_furthest_module.dropped_off_count, 0)
            as dropped_off_count,
        coalesce(dropoffs_by_furthest_module.stalled_count, 0)
            as stalled_count

    from modules
    left join course_starters
        on modules.course_id = course_starters.course_id
    left join module_learners
        on
            modules.module_id = module_learners.module_id
            and modules.course_id = module_learners.course_id
    left join dropoffs_by_furthest_module
        on
            modules.course_id = dropoffs_by_furthest_module.course_id
            and modules.module_id
            = dropoffs_by_furthest_module.furthest_module_id

),

rates_computed as (

    select
        joined.*,
        cast(joined.reached_count as double)
        / nullif(joined.course_starters_count, 0) as reached_rate,
        cast(joined.completed_count as double)
        / nullif(joined.course_starters_count, 0) as completed_rate,
        cast(joined.dropped_off_count as double)
        / nullif(joined.reached_count, 0) as dropoff_rate,
        cast(joined.dropped_off_count as double)
        / nullif(joined.course_starters_count, 0)
            as dropped_off_share_of_starters_rate

    from joined

),

biggest_dropoff_ranked as (

    select
        rates_computed.*,
        rates_computed.reached_count >= {{ min_learners }}
            as has_min_learners,
        row_number() over (
            partition by
                rates_computed.course_id,
                rates_computed.reached_count >= {{ min_learners }}
            order by
                rates_computed.dropoff_rate desc nulls last,
                rates_computed.module_position asc,
                rates_computed.module_id asc
        ) as dropoff_rank

    from rates_computed

),

final as (

    select
        module_id,
        course_id,
        cast(module_position as integer) as module_position,
        cast(course_starters_count as bigint) as course_starters_count,
        cast(reached_count as bigint) as reached_count,
        cast(completed_count as bigint) as completed_count,
        cast(dropped_off_count as bigint) as dropped_off_count,
        cast(stalled_count as bigint) as stalled_count,
        cast(reached_rate as double) as reached_rate,
        cast(completed_rate as double) as completed_rate,
        cast(dropoff_rate as double) as dropoff_rate,
        cast(dropped_off_share_of_starters_rate as double)
            as dropped_off_share_of_starters_rate,
        has_min_learners,
        has_min_learners
        and dropoff_rank = 1
        and dropped_off_count > 0 as is_biggest_dropoff

    from biggest_dropoff_ranked

)

select * from final
