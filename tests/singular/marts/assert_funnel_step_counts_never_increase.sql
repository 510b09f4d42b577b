{#- In fct_purchase_funnel and fct_purchase_funnel_by_platform, users
    reaching a step never exceed the users of the previous step (within a
    course, or a course x platform), and the totals of fct_purchase_funnel
    equal the sum of the platform rows (each user x course funnel belongs
    to exactly one platform). Returns the offending rows. -#}

with

purchase_funnel as (

    select * from {{ ref('fct_purchase_funnel') }}

),

purchase_funnel_by_platform as (

    select * from {{ ref('fct_purchase_funnel_by_platform') }}

),

funnel_rows as (

    select
        course_id,
        'all' as platform,
        step_number,
        users_count

    from purchase_funnel

    union all

    select
        course_id,
        platform,
        step_number,
        users_count

    from purchase_funnel_by_platform

),

steps_with_previous as (

    select
        course_id,
        platform,
        step_number,
        users_count,
        lag(users_count) over (
            partition by course_id, platform
            order by step_number
        ) as previous_step_users_count

    from funnel_rows

),

increases as (

    select
        course_id,
        platform,
        step_number,
        users_count,
        previous_step_users_count,
        'increase over previous step' as problem

    from steps_with_previous
    where users_count > previous_step_users_count

),

platforms_summed as (

    select
        course_id,
        step_number,
        sum(users_count) as platform_users_count

    from purchase_funnel_by_platform
    group by 1, 2

),

totals_off as (

    select
        purchase_funnel.course_id,
        'all' as platform,
        purchase_funnel.step_number,
        purchase_funnel.users_count,
        platforms_summed.platform_users_count as previous_step_users_count,
        'total differs from the sum of platforms' as problem

    from purchase_funnel
    full outer join platforms_summed
        on
            purchase_funnel.course_id = platforms_summed.course_id
            and purchase_funnel.step_number = platforms_summed.step_number
    where
        purchase_funnel.users_count
        is distinct from platforms_summed.platform_users_count

),

failures as (

    select * from increases

    union all

    select * from totals_off

)

select * from failures
